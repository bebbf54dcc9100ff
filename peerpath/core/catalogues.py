"""PeerPath's translation catalogues: finding the strings to translate, keeping each app's ``.po``
in step with the code, and compiling the ``.mo`` files Django reads.

Each app keeps its own catalogue, ``peerpath/<app>/locale/<language>/LC_MESSAGES/django.po``
(Django finds an installed app's ``locale`` folder by itself). The site-wide templates
(``peerpath/templates``) and the project's own modules (``peerpath/*.py``) belong to core's.

GNU gettext is not needed anywhere: strings are found with Babel's Python extractor, reading
templates through Django's own ``templatize`` (what ``makemessages`` feeds xgettext), and the
``.mo`` files are written by Babel and committed, so a fresh checkout runs translated without a
build step. ``manage.py catalogues update`` and ``manage.py catalogues compile`` run this module;
``tests/core/test_catalogues.py`` fails when a catalogue is behind the code, a Spanish entry is
missing or fuzzy, or a ``.mo`` does not match its ``.po``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation.template import templatize

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

PACKAGE = Path(__file__).resolve().parent.parent
# Every gettext function PeerPath code may call, with where its message, plural and context are.
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
TEMPLATE_SUFFIXES = {".html", ".txt"}
# A fixed header date: the catalogues change only when their messages do.
HEADER_DATE = datetime(2026, 12, 7)
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);"}
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

# A message: (msgid, plural or "", context or "").
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Found:
    key: Key
    where: str  # file:line, for the translator's and the tests' messages


def apps() -> list[str]:
    """PeerPath's apps, each with a catalogue of its own."""
    from peerpath.apps_order import APPS

    return list(APPS)


def translations() -> list[str]:
    """The languages translated from English (every one in settings.LANGUAGES but English)."""
    return [code for code, _name in settings.LANGUAGES if code != "en"]


def sources(app: str) -> Iterator[Path]:
    """The files whose strings go into ``app``'s catalogue."""
    root = PACKAGE / app
    found = [p for p in root.rglob("*") if p.is_file() and "migrations" not in p.parts]
    if app == "core":
        found += [p for p in (PACKAGE / "templates").rglob("*") if p.is_file()]
        found += list(PACKAGE.glob("*.py"))
        found += list((PACKAGE / "formats").rglob("*.py"))
    for path in sorted(found):
        if path.suffix == ".py" or (path.suffix in TEMPLATE_SUFFIXES and "templates" in path.parts):
            yield path


def _extract(code: str, where: str) -> Iterator[Found]:
    from babel.messages.extract import extract

    options = {"encoding": "utf-8"}
    for lineno, message, _comments, context in extract(
        "python", io.BytesIO(code.encode("utf-8")), keywords=KEYWORDS, options=options
    ):
        if isinstance(message, tuple):
            msgid, plural = message[0], message[1]
        else:
            msgid, plural = message, ""
        if msgid:
            yield Found((msgid, plural or "", context or ""), f"{where}:{lineno}")


def extract_file(path: Path) -> list[Found]:
    """The translatable messages in one Python module or template."""
    text = path.read_text(encoding="utf-8")
    where = str(path.relative_to(PACKAGE.parent))
    if path.suffix == ".py":
        return list(_extract(text, where))
    if "load i18n" not in text and "trans" not in text:
        return []
    # Django's templatize turns the template's translate tags into gettext calls, line for line
    # (X-ed out text around them); lines lose their indentation, which means nothing there.
    code = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).split("\n"))
    return list(_extract(code, where))


def extract_app(app: str) -> dict[Key, list[str]]:
    """Every message of ``app``'s code and templates, with where it is used."""
    found: dict[Key, list[str]] = {}
    for path in sources(app):
        for item in extract_file(path):
            found.setdefault(item.key, []).append(item.where)
    return found


def po_path(app: str, language: str) -> Path:
    return PACKAGE / app / "locale" / language / "LC_MESSAGES" / "django.po"


def mo_path(app: str, language: str) -> Path:
    return po_path(app, language).with_suffix(".mo")


def key_of(message: Message) -> Key:
    msgid = message.id
    context = message.context or ""
    if isinstance(msgid, tuple | list):
        return (msgid[0], msgid[1], context)
    return (msgid, "", context)


def read(app: str, language: str) -> Catalog | None:
    """The app's catalogue for ``language`` as a Babel catalog, or None when it has none."""
    from babel.messages.pofile import read_po

    path = po_path(app, language)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=language, domain="django")


def _new_catalog(app: str, language: str) -> Catalog:
    from babel.messages.catalog import Catalog

    catalog = Catalog(
        locale=language,
        domain="django",
        project=f"PeerPath {app}",
        version="",
        creation_date=HEADER_DATE,
        revision_date=HEADER_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    catalog.mime_headers = [
        *[(k, v) for k, v in catalog.mime_headers if k != "Plural-Forms"],
        ("Plural-Forms", PLURAL_FORMS.get(language, DEFAULT_PLURAL_FORMS)),
    ]
    return catalog


def update(app: str, language: str) -> tuple[int, int]:
    """Bring ``app``'s ``language`` catalogue in step with the code: new messages are added
    untranslated, messages no longer used are dropped, translations are kept. Never marks
    anything fuzzy (a guessed translation would be shown). Returns (messages, untranslated)."""
    from babel.messages.pofile import write_po

    found = extract_app(app)
    path = po_path(app, language)
    old = read(app, language)
    if not found and old is None:
        return 0, 0
    previous = {key_of(m): m for m in list(old)[1:]} if old is not None else {}
    catalog = _new_catalog(app, language)
    untranslated = 0
    for key in sorted(found):
        msgid, plural, context = key
        before = previous.get(key)
        empty: str | tuple[str, str] = ("", "") if plural else ""
        string = before.string if before is not None and before.string else empty
        catalog.add(
            (msgid, plural) if plural else msgid,
            string=string,
            locations=[],
            context=context or None,
            auto_comments=[],
            user_comments=list(before.user_comments) if before is not None else [],
        )
        if not _translated(string):
            untranslated += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, omit_header=False, sort_output=True)
    path.write_bytes(buffer.getvalue())
    compile_catalogue(app, language)
    return len(found), untranslated


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def compiled(app: str, language: str) -> bytes:
    """The ``.mo`` the app's ``.po`` compiles to (fuzzy and untranslated entries left out)."""
    from babel.messages.mofile import write_mo

    catalog = read(app, language)
    assert catalog is not None, f"{app} has no {language} catalogue"
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _messages_of_mo(data: bytes) -> dict[object, str]:
    import gettext

    table: dict[object, str] = gettext.GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in table.items() if k != ""}  # the header names the tool's version


def mo_matches(app: str, language: str) -> bool:
    """The committed ``.mo`` holds exactly the ``.po``'s translations (the header aside)."""
    mo = mo_path(app, language)
    return mo.exists() and _messages_of_mo(mo.read_bytes()) == _messages_of_mo(compiled(app, language))


def compile_catalogue(app: str, language: str) -> bool:
    """Write the app's ``.mo`` from its ``.po``; False when it has no catalogue."""
    if not po_path(app, language).exists():
        return False
    mo_path(app, language).write_bytes(compiled(app, language))
    return True


@dataclass(frozen=True)
class Problem:
    app: str
    language: str
    text: str


def problems(only: Iterable[str] | None = None) -> list[Problem]:
    """What is wrong with the catalogues: messages missing from one (the code moved on),
    untranslated or fuzzy entries, and ``.mo`` files that do not match their ``.po``."""
    found: list[Problem] = []
    for app in only or apps():
        messages = extract_app(app)
        for language in translations():
            catalog = read(app, language)
            if catalog is None:
                if messages:
                    found.append(Problem(app, language, f"no catalogue ({len(messages)} messages to translate)"))
                continue
            entries = {key_of(m): m for m in list(catalog)[1:]}
            for key in sorted(set(messages) - set(entries)):
                found.append(Problem(app, language, f"not in the catalogue: {key[0]!r} ({messages[key][0]})"))
            for key in sorted(set(entries) - set(messages)):
                found.append(Problem(app, language, f"no longer used: {key[0]!r}"))
            for key, entry in sorted(entries.items()):
                if entry.fuzzy:
                    found.append(Problem(app, language, f"fuzzy: {key[0]!r}"))
                elif not _translated(entry.string):
                    found.append(Problem(app, language, f"untranslated: {key[0]!r}"))
            if not mo_matches(app, language):
                found.append(Problem(app, language, "the .mo does not match the .po (manage.py catalogues compile)"))
    return found
