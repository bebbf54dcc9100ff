"""Fault tests start real processes (web server, worker, scheduler, supervisor, SMTP sink, a private
PostgreSQL cluster) and break them on purpose. They are slow, so `make test` leaves them out and
`make faults` (which CI runs) takes them in: see docs/operations.md, "Fault tests". The helpers
they share (installations, the write load) are in tests/faults/running.py; each installation starts
from a copy of one migrated SQLite database (tests/migrated.py)."""

import os

# Collected only when asked for, so the everyday suite stays fast.
collect_ignore_glob = [] if os.environ.get("PEERPATH_FAULTS") else ["test_*.py"]
