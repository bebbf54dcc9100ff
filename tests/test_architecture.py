"""The apps depend on each other one way, in the order written in ``peerpath/apps_order.py``.

Every module under ``peerpath/`` is parsed (not imported), so an import counts wherever it is:
at the top, inside a function, under ``TYPE_CHECKING``, or as ``import_module("peerpath...")``
with a literal name. A module of an app may import its own app and the apps before it, and the
project's base modules (``peerpath.env``, ``peerpath.apps_order``); never an app after it, nor
the project's glue (settings, URLs, WSGI), which imports every app.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from peerpath.apps_order import APPS

PACKAGE = Path(__file__).resolve().parents[1] / "peerpath"
RANK = {app: n for n, app in enumerate(APPS)}
BASE = {"peerpath.env", "peerpath.apps_order"}  # below every app
IMPORTERS = {"import_module", "__import__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, module name) for every import in the source, relative ones resolved."""
    here = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = here.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(part for part in (base, node.module or "") if part)
            if name == "peerpath":  # `from peerpath import care` imports the app itself
                yield from ((node.lineno, f"{name}.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, name
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in IMPORTERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "peerpath" and parts[1] in RANK else None


def upward(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The imports in a module of an app that reach an app after it, or the project's glue."""
    own = app_of(module)
    if own is None:
        return []  # the project's glue may import every app
    found = []
    for line, name in sorted(imported(source, module, is_package=is_package), key=lambda found: found[0]):
        if not name.startswith("peerpath.") or name in BASE:
            continue
        target = app_of(name)
        if target is None:
            if not any(name.startswith(f"{base}.") for base in BASE):
                found.append(f"line {line}: {name} (the project's glue)")
        elif RANK[target] > RANK[own]:
            found.append(f"line {line}: {name} ({target} comes after {own})")
    return found


def modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, module_name(path)


def test_the_order_lists_every_app_and_installed_apps_follow_it() -> None:
    on_disk = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert on_disk == set(APPS), "Place every app in peerpath/apps_order.py"
    ours = [name for name in settings.INSTALLED_APPS if name.startswith("peerpath.")]
    assert ours == [f"peerpath.{app}" for app in APPS]


def test_no_app_imports_an_app_after_it() -> None:
    checked = 0
    problems = []
    for path, module in modules():
        found = upward(path.read_text(), module, is_package=path.name == "__init__.py")
        problems += [f"{path.relative_to(PACKAGE.parent)} {problem}" for problem in found]
        checked += 1
    assert checked > 200  # every module was read
    assert not problems, "Imports against the app order (peerpath/apps_order.py):\n" + "\n".join(problems)


def test_there_is_no_import_cycle_between_apps() -> None:
    graph: dict[str, set[str]] = {app: set() for app in APPS}
    for path, module in modules():
        own = app_of(module)
        if own is None:
            continue
        for _line, name in imported(path.read_text(), module, is_package=path.name == "__init__.py"):
            target = app_of(name)
            if target is not None and target != own:
                graph[own].add(target)
    assert cycles(graph) == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle found by a depth-first walk, as the path that closes it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for node in graph:
        visit(node, [])
    return found


def test_the_check_sees_lazy_type_checking_and_relative_imports() -> None:
    source = """
from typing import TYPE_CHECKING

from peerpath.core.permissions import Role
from peerpath.recruitment.models import Supporter

if TYPE_CHECKING:
    from peerpath.care.models import Break

def f():
    from peerpath.support.models import Participant
    from peerpath import reports
    import peerpath.api.auth
    importlib.import_module("peerpath.exchange.archive")

from ..care import queries
from . import access
from peerpath import urls
from peerpath.env import envbool
"""
    found = upward(source, "peerpath.training.views")
    assert [problem.split(": ", 1)[1] for problem in found] == [
        "peerpath.care.models (care comes after training)",
        "peerpath.support.models (support comes after training)",
        "peerpath.reports (reports comes after training)",
        "peerpath.api.auth (api comes after training)",
        "peerpath.exchange.archive (exchange comes after training)",
        "peerpath.care (care comes after training)",
        "peerpath.urls (the project's glue)",
    ]
    assert upward(source, "peerpath.urls") == []


def test_a_cycle_between_apps_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
