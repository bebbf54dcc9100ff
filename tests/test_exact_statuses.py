"""A status assert names the one answer expected, never "403 or 404" (CONTRIBUTING.md, Tests).

PeerPath answers each refusal one way (not a member, or a record you may not see: 404; a member
without the role: 403; refused input: 400 on a page, 422 in the API), so a test that accepts
either answer hides a page that gives the wrong one. Every test module is parsed (not imported)
and an ``assert`` comparing a status with ``in`` against several numbers fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_status(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return "status" in name.lower()


def _several_numbers(node: ast.expr) -> bool:
    return (
        isinstance(node, (ast.Tuple, ast.Set, ast.List))
        and len(node.elts) > 1
        and all(isinstance(e, ast.Constant) and isinstance(e.value, int) for e in node.elts)
    )


def either_or_asserts(source: str) -> list[int]:
    """Lines of ``assert ... status ... in (403, 404)`` (a tuple, set or list of numbers)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        for compare in ast.walk(node.test):
            if (
                isinstance(compare, ast.Compare)
                and _is_status(compare.left)
                and any(isinstance(op, (ast.In, ast.NotIn)) for op in compare.ops)
                and any(_several_numbers(c) for c in compare.comparators)
            ):
                lines.append(compare.lineno)
    return lines


def test_no_status_assert_accepts_either_of_two_answers() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in either_or_asserts(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Assert the one status expected, not a choice:\n" + "\n".join(found)


def test_the_check_sees_each_form() -> None:
    assert either_or_asserts("assert r.status_code in (403, 404)")
    assert either_or_asserts("assert client.get(p).status_code in {400, 422}, p")
    assert either_or_asserts("assert ok and response.status_code in [302, 303]")
    assert either_or_asserts("assert status in (403, 404)")
    assert not either_or_asserts("assert r.status_code == 404")
    assert not either_or_asserts("if r.status_code in (301, 302):\n    pass")
    assert not either_or_asserts("assert days in (30, 7)")
