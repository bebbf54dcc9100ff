"""A supporter still in training sees no supporting pages: no match offers, matching profile or
breaks in the navigation or on the home page, and the pages themselves refuse with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from peerpath.recruitment.models import Stage
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db

SUPPORTING_PAGES = ["support:caseload", "support:my_profile", "care:my_breaks"]


@pytest.mark.parametrize("stage", [Stage.ACCEPTED, Stage.IN_TRAINING, Stage.ASSESSED])
def test_a_trainee_is_neither_shown_nor_let_into_the_supporting_pages(world: Any, stage: str) -> None:
    client = world.client_for(trainee(world.program, stage=stage).user)
    home = client.get(reverse("programs:home", args=[world.program.slug])).content.decode()
    care = client.get(reverse("care:my_care", args=[world.program.slug])).content.decode()
    for name in SUPPORTING_PAGES:
        url = reverse(name, args=[world.program.slug])
        assert f'href="{url}"' not in home and f'href="{url}"' not in care, name
        refused = client.get(url)
        assert refused.status_code == 403, name
        assert "once you have finished your training" in refused.content.decode(), name
    assert client.get(reverse("training:my_training", args=[world.program.slug])).status_code == 200


def test_an_active_supporter_keeps_them(world: Any) -> None:
    client = world.client_for(trainee(world.program, name="Asha Active", stage=Stage.ACTIVE).user)
    home = client.get(reverse("programs:home", args=[world.program.slug])).content.decode()
    for name in SUPPORTING_PAGES:
        url = reverse(name, args=[world.program.slug])
        assert client.get(url).status_code == 200, name
    assert f'href="{reverse("support:my_profile", args=[world.program.slug])}"' in home
