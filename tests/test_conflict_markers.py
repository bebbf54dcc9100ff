"""No merge-conflict marker is ever committed: one in base.html once put 'HEAD' and '>>>>>>> main'
on every signed-in page and pushed the account menu over the program's links."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7}|>{7})( |$)|^={7}$", re.MULTILINE)


def test_no_tracked_file_holds_a_conflict_marker() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix not in {
            ".py",
            ".html",
            ".txt",
            ".md",
            ".po",
            ".js",
            ".css",
            ".toml",
            ".json",
            ".cfg",
        } and name not in {"Makefile"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        found += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in MARKER.finditer(text)]
    assert not found, found


def test_the_check_finds_a_marker() -> None:
    assert MARKER.search("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n")
    assert not MARKER.search("a heading\n=========\n")
