"""What self-paced learning adds to training's pages (through `training.extensions`): a column
on a cohort's roster for trainers and coordinators, and a section on a trainee's "My training"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from peerpath.credentials import queries
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter


def roster_learning(
    program: Program, cohort: Any, supporter_ids: Iterable[int], membership: Membership
) -> dict[int, dict[str, Any]]:
    """Roster column: modules completed of those published, linking to the learner's page (the
    roster shows only trainees of a cohort the viewer may open). Three queries."""
    modules = queries.published_modules(program)
    if not modules:
        return {}
    ids = list(supporter_ids)
    found = queries.standings(modules, ids)
    result = {}
    for supporter_id in ids:
        done = sum(1 for s in found[supporter_id].values() if s.state == "done")
        stuck = any(s.state == "stuck" for s in found[supporter_id].values())
        result[supporter_id] = {
            "label": _("Self-paced: %(done)d of %(all)d") % {"done": done, "all": len(modules)},
            "tone": "ok" if done == len(modules) else ("bad" if stuck else ""),
            "url": reverse("credentials:learner", args=[program.slug, supporter_id]),
        }
    return result


def trainee_learning(request: HttpRequest, program: Program, supporter: Supporter) -> tuple[str, dict[str, Any]] | None:
    """The trainee's own "My training" page: the self-paced modules still to do."""
    standings = queries.my_modules(supporter)
    if not standings:
        return None
    left = [s for s in standings if s.state != "done"]
    return ("credentials/learning/_section.html", {"left": left, "total": len(standings), "program": program})
