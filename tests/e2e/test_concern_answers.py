"""A supervisor reads every answer of a crisis under its question, on a desktop and on a phone.

The answers once sat in a zero-width grid column outside a half-width card; this measures each
answer's box: inside the viewport and its card, under its question, and wide enough to read.
"""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.support.defaults import CONCERN_QUESTIONS
from peerpath.support.services import concerns
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = [
    "NO - NOT SAFE, alone at home",
    "Yes, said they cannot go on",
    "Nobody; their sister is away until Friday",
    "No",
    "Lost their job last week and stopped answering texts",
]


def measure(page: Any) -> list[dict[str, float]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('dl.answers dd')].map(dd => {
            const r = dd.getBoundingClientRect();
            const dt = dd.previousElementSibling.getBoundingClientRect();
            const card = dd.closest('.card').getBoundingClientRect();
            return {left: r.left, right: r.right, width: r.width, top: r.top, dtBottom: dt.bottom,
                    dtLeft: dt.left, cardLeft: card.left, cardRight: card.right, cardWidth: card.width,
                    viewport: document.documentElement.clientWidth, text: dd.innerText};
        })"""
    )


def test_every_answer_is_readable_under_its_question(page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    concern = concerns.raise_concern(
        actor=support.supporter,
        relationship=support.ana_rel,
        kind="crisis",
        answers=list(zip(CONCERN_QUESTIONS, ANSWERS, strict=True)),
        notes="Called from the bus stop.",
    )
    login(page, a11y, support.supervisor.email, PASSWORD)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(concern.get_absolute_url())
        a11y.check(page)
        boxes = measure(page)
        assert [b["text"] for b in boxes] == ANSWERS
        for box in boxes:
            assert box["left"] >= box["cardLeft"] and box["right"] <= box["cardRight"] + 0.5, (width, box)
            assert box["right"] <= box["viewport"], (width, box)
            assert box["top"] >= box["dtBottom"] - 0.5, f"answer not under its question at {width}px: {box}"
            assert box["width"] >= 0.6 * box["cardWidth"], f"answer squeezed at {width}px: {box}"
            assert page.get_by_text(box["text"], exact=True).is_visible()
