"""The documentation stays a front door and stays true: a short README, links that resolve, the
layout tree and the settings tables in step with the code. Reads files only (no database)."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_LIMIT = 12_000  # bytes: the README is a front door, the manual lives in docs/

VARIABLE = re.compile(r"PEERPATH_[A-Z0-9_]+")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(path: Path) -> str:
    """The file without its fenced code blocks (a link or heading in code is not one)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path)):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def table_variables(path: Path) -> set[str]:
    """The PEERPATH_ variables named in the first column of the file's tables."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            names.update(VARIABLE.findall(line.split("|")[1]))
    return names


def read_by_settings() -> tuple[set[str], set[str]]:
    """The PEERPATH_ names the settings read (peerpath/settings.py and the env.py helpers it uses),
    and the NAME_FILE forms that `secret(...)` also accepts."""
    names: set[str] = set()
    file_forms: set[str] = set()
    for module in ("settings.py", "env.py"):
        tree = ast.parse((ROOT / "peerpath" / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.fullmatch(node.value):
                names.add(node.value)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "secret"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                file_forms.add(f"{node.args[0].value}_FILE")
    return names, file_forms


def test_readme_is_short() -> None:
    size = README.stat().st_size
    assert size <= README_LIMIT, (
        f"README.md is {size} bytes, over {README_LIMIT}: move the detail into a guide under docs/ and link it"
    )


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in LINK.findall(prose(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{path.relative_to(ROOT)} has broken links: {broken}"


def test_every_guide_is_in_the_index_and_the_readme() -> None:
    index = prose(DOCS / "README.md")
    readme = prose(README)
    for guide in sorted(DOCS.glob("*.md")):
        if guide.name == "README.md":
            continue
        assert f"]({guide.name}" in index, f"docs/README.md does not link {guide.name}"
        assert f"](docs/{guide.name}" in readme, f"README.md does not link docs/{guide.name}"


def test_configuration_documents_exactly_the_variables_the_settings_read() -> None:
    read, file_forms = read_by_settings()
    documented = table_variables(DOCS / "configuration.md")
    assert read - documented == set(), "read by peerpath/settings.py but missing from docs/configuration.md"
    assert documented - read - file_forms == set(), "in docs/configuration.md but not read by the settings"


def test_development_documents_the_test_switches() -> None:
    read, _ = read_by_settings()
    used_by_tests = set()
    for source in (ROOT / "tests").rglob("*.py"):
        if source != Path(__file__).resolve():
            used_by_tests.update(VARIABLE.findall(source.read_text(encoding="utf-8")))
    switches = used_by_tests - read
    documented = table_variables(DOCS / "development.md")
    assert switches - documented == set(), "read by the tests but missing from docs/development.md (Test switches)"
    assert documented - switches == set(), "in docs/development.md's test switches but not read by the tests"


def _layout_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1]
    return section.split("```", 2)[1]


def test_layout_lists_folders_that_exist_and_misses_none() -> None:
    listed: set[str] = set()
    parent = ""
    for line in _layout_block().splitlines():
        indent = len(line) - len(line.lstrip())
        entry = line.strip().split("  ")[0]
        if not entry.endswith("/") and "/" not in entry:
            continue  # a row of top-level files
        path = entry if indent == 0 else f"{parent}{entry}"
        if indent == 0:
            parent = entry
        listed.add(path.rstrip("/"))
    missing_on_disk = sorted(p for p in listed if not (ROOT / p).exists())
    assert not missing_on_disk, f"README.md's layout lists what does not exist: {missing_on_disk}"

    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    top = {
        d.name
        for d in ROOT.iterdir()
        if d.is_dir() and not d.name.startswith(".") and not any(fnmatch.fnmatch(d.name, p) for p in ignored)
    }
    apps = {
        f"peerpath/{d.name}"
        for d in (ROOT / "peerpath").iterdir()
        if d.is_dir() and ((d / "__init__.py").exists() or d.name == "templates")
    }
    unlisted = sorted((top | apps) - listed)
    assert not unlisted, f"README.md's layout leaves out: {unlisted}"
