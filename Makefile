# PeerPath: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
# Django 6 needs Python 3.12 or newer: take the first one found on PATH or in pyenv.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test faults lint typecheck worker scheduler migrate demo check-python clean-venv bench-match bench-match-large bench-data bench bench-import bench-coder

# uv installs the dependencies (from PyPI, the same versions pip resolves, into the same virtualenv):
# a fresh install took 22 s where pip took 192 s, both on the shared 2-core machine beside a test
# run (docs/development.md, "CI budget").
$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]'
	@touch $@

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "PeerPath needs Python 3.12 or newer (Django 6). Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi

migrate: $(VENV)/.installed
	PEERPATH_DEBUG=1 $(PY) manage.py migrate --noinput
	PEERPATH_DEBUG=1 $(PY) manage.py createcachetable

demo: migrate
	PEERPATH_DEBUG=1 $(PY) manage.py load_demo

# Serves the demo with a background task worker and the scheduler beside the web server; both are
# supervised (manage.py run_supervised starts either again if it exits). Links in e-mails, PDFs
# and badges point at HOST:PORT unless PEERPATH_SITE_URL says otherwise.
run: demo
	@echo "Starting the task worker, the scheduler and the web server at http://$(HOST):$(PORT)/ (Ctrl-C stops all)"
	@export PEERPATH_SITE_URL="$${PEERPATH_SITE_URL:-http://$(HOST):$(PORT)}"; \
	PEERPATH_DEBUG=1 $(PY) manage.py run_supervised & supervisor=$$!; \
	trap "kill $$supervisor 2>/dev/null; wait $$supervisor 2>/dev/null" EXIT INT TERM; \
	PEERPATH_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

worker: $(VENV)/.installed
	$(PY) manage.py run_worker

scheduler: $(VENV)/.installed
	$(PY) manage.py run_scheduler

# Tests run in parallel on every core (pytest-xdist); PYTEST_ARGS adds to or overrides that.
# --dist worksteal: each worker starts with an equal share and an idle one takes half of a busy
# one's remaining tests. xdist's default (load) hands out large chunks in collection order, and
# pytest-django collects the committing tests (browser, migrations, at-rest) together: one worker
# got 409 s of CPU and the other 238 s, where worksteal splits the same tests 331 s and 338 s.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Fault tests: real processes killed, hung and locked on purpose (tests/faults/); CI runs them.
faults: $(VENV)/.installed
	PEERPATH_FAULTS=1 $(PY) -m pytest -p no:xdist -p no:randomly tests/faults $(PYTEST_ARGS)

# The large network for the web benchmark (PostgreSQL: set DATABASE_URL). BENCH_SCALE=0.1 for a tenth.
bench-data: $(VENV)/.installed
	$(PY) bench/data.py $(BENCH_ARGS)

# Serves the app with gunicorn (DEBUG off) and measures the main pages with wrk; writes bench/results/web.json.
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ echo "Installing Debian's wrk (the load generator)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }; }; } || \
		{ echo "make bench needs wrk: install it (Debian/Ubuntu: apt-get install wrk)" >&2; exit 1; }
	$(PY) bench/web.py

# Batch matching at scale: 10,000 participants, 2,000 supporters; checks the number matched and each level of the
# objective against independent solvers, fails when they differ or when the match takes over 15 s end to end;
# writes bench/results/match.json.
bench-match: $(VENV)/.installed
	$(PY) bench/match.py --max-seconds 15 $(BENCH_ARGS)

# The whole large network: 100,000 participants, 10,000 supporters, under the pruning rule (docs/coordinator.md);
# fails over 300 s end to end or 8 GB, or when the checks differ; writes bench/results/match_large.json. Not in CI.
bench-match-large: $(VENV)/.installed
	$(PY) bench/match.py --participants 100000 --supporters 10000 --max-seconds 300 --max-memory-mb 8192 \
		--out bench/results/match_large.json $(BENCH_ARGS)

# How long importing 5,000 participants and 5,000 supporters holds the SQLite write lock; writes bench/results/import_lock.json.
bench-import: $(VENV)/.installed
	$(PY) bench/import_lock.py --out bench/results/import_lock.json $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Static types: mypy with django-stubs over peerpath/ (configuration in pyproject.toml).
typecheck: $(VENV)/.installed
	$(PY) -m mypy

clean-venv:
	rm -rf $(VENV)

# The practice lab's reply coder on the held-out split (per-code precision/recall/F1, macro-F1, ms per reply);
# writes bench/results/coder.json and fails below target.
bench-coder: $(VENV)/.installed
	$(PY) bench/coder.py $(BENCH_ARGS)
