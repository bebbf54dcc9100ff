"""The checks every page must pass, and the walk that runs them all over the site.

One walk per persona visits every page that persona reaches by following links and redirects
(the same walk as the permission and download tests, at most ``VISITS_PER_VIEW`` addresses per
view) and runs each check on each page. A check is one function in one of the two lists below;
adding a check adds a function, never another walk.

- ``HTML_CHECKS`` read the HTML the server sent: ``check(html) -> problems``, on every page the
  walk reaches.
- ``BROWSER_CHECKS`` read the page as a browser laid it out, at each of ``WIDTHS``:
  ``check(page, width) -> problems`` (``page`` is a Playwright page already on the address), on
  the first page of each view (``first_of_each_view``).

The walk runs in a pseudo-language (``pseudo_language``: every translated string in markers,
the records' own text in other markers, ``mark_data``), and ``untranslated_text`` reports any
visible word outside them: text no translator will ever see.

Each problem is one line of text that says what is wrong and where.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.test import Client

from tests.crawling import crawl, fill_every_text_field

DESKTOP, PHONE = 1280, 390
# Pages that draw themselves after loading: checked once this selector is on the page.
READY_WHEN = {"api:openapi-view": "#swagger-ui .opblock"}
WIDTHS = (DESKTOP, PHONE)
# The HTML checks read up to three addresses of each view (other records, other states: markup
# built in Python differs); the browser lays out the first of each.
VISITS_PER_VIEW = 3
# Not pages: downloads, feeds and files, and the links that would end the persona's session.
NOT_A_PAGE = re.compile(
    r"(/logout/|export=|format=|\.csv|\.xlsx|\.pdf|\.ics|\.zip|\.json|\.png|\.svg|/download|/evidence/|/feed/|/api/v1/(?!docs))"
)


# --- HTML checks: check(html) -> problems ----------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: dict[str, list[int]] = {}
        self._template_depth = 0  # ids inside <template> are not in the document

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template":
            self._template_depth += 1
        for name, value in attrs:
            if name == "id" and value is not None and not self._template_depth:
                self.lines.setdefault(value, []).append(self.getpos()[0])

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self._template_depth:
            self._template_depth -= 1


def duplicate_ids(html: str) -> list[str]:
    """Each id names one element: a second one breaks labels, fragment links and aria references."""
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return [
        f'id="{value}" is used {len(lines)} times (lines {", ".join(map(str, lines))})'
        for value, lines in parser.lines.items()
        if len(lines) > 1
    ]


# JSON data blocks (json_script: chart specs, Swagger UI's settings) are never run by the browser.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: style attributes, <style> elements, inline
    scripts with a body, on* event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"line {self.getpos()[0]}: <{tag}>"
        names = {name.lower(): value for name, value in attrs}
        if "style" in names:
            self.problems.append(f"{where} has a style attribute")
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.problems.append(f"{where} has event-handler attributes {handlers}")
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{where} has a javascript: {name}")
        if tag == "style":
            self.problems.append(f"{where} is an inline style element")
        if tag == "script" and "src" not in names and (names.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self._inline_script = where

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._inline_script = None

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.problems.append(f"{self._inline_script} is an inline script with a body")
            self._inline_script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = None


def inline_code(html: str) -> list[str]:
    """Nothing inline that the Content-Security-Policy (settings.SECURE_CSP: only this site's own
    files script and style a page) would block, so silently stop working in the browser."""
    finder = _InlineCode()
    finder.feed(html)
    finder.close()
    return finder.problems


# --- The pseudo-language: every translated string in markers, and no visible text outside them.
#
# While ``pseudo_language()`` is on, every string that goes through gettext (templates' translate
# tags, ``gettext``/``gettext_lazy`` in Python, Django's own messages and month names) comes out
# wrapped in TRANSLATED markers, and ``mark_data()`` has wrapped the records' own text (names,
# notes, titles) in DATA markers. Any visible text left outside both is English that no
# translator will ever see: ``untranslated_text`` reports it.

TRANSLATED = ("\u27e6", "\u27e7")  # ⟦ ⟧
DATA = ("\u27ea", "\u27eb")  # ⟪ ⟫
# Visible attributes, read like text.
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description"}
# Elements whose content is not read as page text.
NOT_TEXT = {"script", "style", "template", "code", "pre", "kbd", "samp", "svg", "math"}
LETTERS = re.compile(r"[^\W\d_]{2,}")
_pseudo_on = False


@contextlib.contextmanager
def pseudo_language() -> Iterator[None]:
    """Wrap every translated string in TRANSLATED markers while the block runs (the live server's
    thread included: Django's translation functions are patched for the whole process)."""
    global _pseudo_on
    from django.utils import translation

    trans = translation._trans
    originals = {name: getattr(trans, name) for name in ("gettext", "ngettext", "pgettext", "npgettext")}

    def wrap(function: Callable[..., str]) -> Callable[..., str]:
        return lambda *args: f"{TRANSLATED[0]}{function(*args)}{TRANSLATED[1]}"

    for name, function in originals.items():
        setattr(trans, name, wrap(function))
    _pseudo_on = True
    try:
        yield
    finally:
        _pseudo_on = False
        for name, function in originals.items():
            setattr(trans, name, function)


def mark_data() -> int:
    """Wrap the free text of every PeerPath record (names, notes, titles: crawling.text_fields; the
    words kept in JSON, such as languages and questionnaire scales: crawling.FREE_TEXT_JSON) in
    DATA markers: a program's own words are not the app's to translate. Returns the count."""
    # No letters in the payload: text the code derives from it (initials, grouped phrases) has none either.
    return fill_every_text_field(lambda record, field: f"{DATA[0]}\u2026{DATA[1]}", free_text_json=True)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[int, str, str]] = []  # (line, text, where)
        self._skip: list[str] = []  # open elements whose content is not checked

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag in VOID_ELEMENTS:
            self._attributes(tag, names)
            return
        if self._skip or tag in NOT_TEXT or names.get("translate") == "no" or "hidden" in names:
            self._skip.append(tag)
            return
        self._attributes(tag, names)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skip:
            self._attributes(tag, dict(attrs))

    def _attributes(self, tag: str, names: dict[str, str | None]) -> None:
        if self._skip or names.get("translate") == "no":
            return
        for name in sorted(VISIBLE_ATTRIBUTES & set(names)):
            self.texts.append((self.getpos()[0], names[name] or "", f"<{tag} {name}>"))
        if tag == "input" and (names.get("type") or "") in ("submit", "button", "reset"):
            self.texts.append((self.getpos()[0], names.get("value") or "", f"<{tag} value>"))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append((self.getpos()[0], data, ""))


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _outside_markers(texts: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The parts of each text outside the markers. A translated string may hold markup (its text
    then spans several text nodes), so TRANSLATED depth runs through the page's text; data never
    does (it is escaped), so DATA depth ends with each text."""
    found = []
    depth = 0
    for line, text, where in texts:
        attribute = bool(where)
        own_depth = 0 if attribute else depth
        data = 0
        outside = []
        for char in text:
            if char == TRANSLATED[0]:
                own_depth += 1
            elif char == TRANSLATED[1]:
                own_depth = max(own_depth - 1, 0)
            elif char == DATA[0]:
                data += 1
            elif char == DATA[1]:
                data = max(data - 1, 0)
            elif own_depth == 0 and data == 0:
                outside.append(char)
                continue
            outside.append(" ")
        if not attribute:
            depth = own_depth
        left = " ".join("".join(outside).split())
        if LETTERS.search(left):
            found.append((line, left, where))
    return found


def untranslated_text(html: str) -> list[str]:
    """In the pseudo-language (``pseudo_language``), no visible text outside the markers: every
    word a person reads either went through gettext or is the program's own data."""
    if not _pseudo_on:
        return []
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    problems = []
    for line, text, where in _outside_markers(parser.texts):
        problems.append(f"line {line}{' ' + where if where else ''}: untranslated {text[:80]!r}")
    return problems


HTML_CHECKS: list[Callable[[str], list[str]]] = [duplicate_ids, inline_code]


# --- Browser checks: check(page, width) -> problems -------------------------------------------


AXE_SCRIPT = Path(importlib.util.find_spec("axe_playwright_python").origin).with_name("axe.min.js")  # type: ignore[arg-type]


def prepare(context: Any) -> None:
    """Load axe-core into every document the browser context opens (once per page load, before
    the page's own scripts; the page's Content-Security-Policy does not apply to it)."""
    context.add_init_script(path=str(AXE_SCRIPT))


def accessibility(page: Any, width: int) -> list[str]:
    """axe-core finds no violation (of any impact) on the page."""
    problems = []
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    for violation in results.get("violations", []):
        targets = [node.get("target") for node in violation.get("nodes", [])]
        shown = ", ".join(str(t) for t in targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
        problems.append(f"axe {violation['id']} ({violation.get('impact')}): {shown}")
    return problems


# The element reaching farthest past the right edge of the window, named as a selector: only
# elements the page actually widens with (not those clipped by a scrolling box they belong to).
_WIDEST_OFFENDER = """() => {
  const limit = window.innerWidth;
  const clips = (el) => getComputedStyle(el).overflowX !== 'visible';
  // The box an element is laid out in (and so clipped by): its parent, or for an absolutely
  // positioned element the nearest positioned ancestor.
  const container = (el) => {
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return null;
    let up = el.parentElement;
    if (position === 'absolute') {
      while (up && up !== document.body && getComputedStyle(up).position === 'static') up = up.parentElement;
    }
    return up && up !== document.body && up !== document.documentElement ? up : null;
  };
  const clipped = (el) => {
    for (let up = container(el); up; up = container(up)) if (clips(up)) return true;
    return false;
  };
  let worst = null, right = limit;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if ((box.width === 0 && box.height === 0) || box.right <= right + 0.5) continue;
    if (!clipped(el)) { worst = el; right = box.right; }
  }
  if (!worst) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + Array.from(el.classList).map((c) => '.' + c).join('');
  const path = [];
  for (let el = worst; el && el !== document.body && path.length < 4; el = el.parentElement) path.unshift(name(el));
  return {selector: path.join(' > '), right: Math.round(right)};
}"""


def no_horizontal_scroll(page: Any, width: int) -> list[str]:
    """The page fits the window: nothing makes it scroll sideways."""
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width <= inner_width:
        return []
    worst = page.evaluate(_WIDEST_OFFENDER)
    where = f"; widest offender {worst['selector']} reaches {worst['right']} px" if worst else ""
    return [f"scrolls sideways: {scroll_width} px wide in a {inner_width} px window{where}"]


BROWSER_CHECKS: list[Callable[[Any, int], list[str]]] = [accessibility, no_horizontal_scroll]


# --- The walk ---------------------------------------------------------------------------------


@dataclass
class Page:
    path: str
    view: str
    html: str


def pages(client: Client, starts: list[str], *, visits_per_view: int = VISITS_PER_VIEW) -> Iterator[Page]:
    """Every HTML page reachable from ``starts`` by same-site links and redirects, at most
    ``visits_per_view`` addresses per view (the first reached)."""
    walk = crawl(client, starts, "/", visits_per_view=visits_per_view, never_follow=NOT_A_PAGE, follow_redirects=True)
    for visit in walk:
        response = visit.response
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            yield Page(visit.path, visit.view, response.content.decode())


def first_of_each_view(walked: list[Page]) -> list[Page]:
    """The first page the walk reached of each view: what the browser lays out."""
    seen: set[str] = set()
    return [page for page in walked if not (page.view in seen or seen.add(page.view))]


def html_problems(page: Page) -> list[str]:
    return [problem for check in HTML_CHECKS for problem in check(page.html)] + untranslated_text(page.html)


def browser_problems(page: Any, width: int) -> list[str]:
    return [problem for check in BROWSER_CHECKS for problem in check(page, width)]
