"""The translation catalogues keep up with the code: every message of every app is in its app's
Spanish catalogue, translated and not fuzzy, and the committed ``.mo`` matches its ``.po``
(peerpath/core/catalogues.py; docs/translating.md). From the moment an app leaves
IN_PROGRESS, every later change to it ships its Spanish with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from peerpath.core import catalogues

# Apps whose Spanish is still being written this session (issue 17). Each leaves the set when
# its catalogue is complete; the set must end empty.
IN_PROGRESS: set[str] = {
    "support",
    "care",
    "groups",
    "plans",
    "voice",
    "hours",
    "reports",
    "exchange",
    "api",
    "demo",
}


@pytest.mark.parametrize("app", catalogues.apps())
def test_each_catalogue_is_complete_and_compiled(app: str) -> None:
    problems = [f"{p.app} [{p.language}] {p.text}" for p in catalogues.problems([app])]
    if app in IN_PROGRESS:
        pytest.skip(f"{app}'s Spanish is being written ({len(problems)} problems left)")
    assert not problems, (
        f"{len(problems)} problems; run `manage.py catalogues update {app}`, translate, "
        "then `manage.py catalogues compile`:\n" + "\n".join(problems[:60])
    )


def test_the_check_finds_each_kind_of_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "peerpath"
    template = package / "core" / "templates" / "core" / "page.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        '{% load i18n %}<h1>{% translate "Welcome" %}</h1>\n'
        "{% blocktranslate trimmed count n=items %}\n  One item\n"
        "{% plural %}\n  {{ n }} items\n{% endblocktranslate %}\n"
        '{% translate "May" context "month" %}'
    )
    (package / "core" / "models.py").write_text('from x import gettext_lazy as _\nLABEL = _("Peer supporter")\n')
    monkeypatch.setattr(catalogues, "PACKAGE", package)
    monkeypatch.setattr(catalogues, "apps", lambda: ["core"])
    found = catalogues.extract_app("core")
    assert set(found) == {
        ("Welcome", "", ""),
        ("One item", "%(n)s items", ""),
        ("May", "", "month"),
        ("Peer supporter", "", ""),
    }
    assert [p.text for p in catalogues.problems()] == ["no catalogue (4 messages to translate)"]

    assert catalogues.update("core", "es") == (4, 4)
    assert sorted(p.text for p in catalogues.problems()) == [
        "untranslated: 'May'",
        "untranslated: 'One item'",
        "untranslated: 'Peer supporter'",
        "untranslated: 'Welcome'",
    ]
    po = catalogues.po_path("core", "es")
    text = po.read_text()
    text = text.replace('msgid "Welcome"\nmsgstr ""', '#, fuzzy\nmsgid "Welcome"\nmsgstr "Bienvenida"')
    text = text.replace('msgid "Peer supporter"\nmsgstr ""', 'msgid "Peer supporter"\nmsgstr "Compañero de apoyo"')
    text = text.replace('msgctxt "month"\nmsgid "May"\nmsgstr ""', 'msgctxt "month"\nmsgid "May"\nmsgstr "mayo"')
    text = text.replace('msgstr[0] ""\nmsgstr[1] ""', 'msgstr[0] "Un elemento"\nmsgstr[1] "%(n)s elementos"')
    po.write_text(text)
    assert sorted(p.text for p in catalogues.problems()) == [
        "fuzzy: 'Welcome'",
        "the .mo does not match the .po (manage.py catalogues compile)",
    ]
    catalogues.compile_catalogue("core", "es")
    assert [p.text for p in catalogues.problems()] == ["fuzzy: 'Welcome'"]

    # The code moves on: a message changes; updating keeps the other translations.
    template.write_text('{% load i18n %}<h1>{% translate "Welcome back" %}</h1>')
    assert sorted(p.text for p in catalogues.problems()) == [
        "fuzzy: 'Welcome'",
        "no longer used: 'May'",
        "no longer used: 'One item'",
        "no longer used: 'Welcome'",
        "not in the catalogue: 'Welcome back' (peerpath/core/templates/core/page.html:1)",
    ]
    assert catalogues.update("core", "es") == (2, 1)
    assert "Compañero de apoyo" in po.read_text() and "Bienvenida" not in po.read_text()


def test_django_reads_the_committed_catalogues() -> None:
    with translation.override("es"):
        assert translation.gettext("Your account") != "Your account"
