"""The supervisor's "pause new matches" switch on a supporter's care page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peerpath.care.models import MatchPause
from peerpath.core import audit
from peerpath.core.models import User
from peerpath.recruitment.models import Supporter


def set_match_pause(*, actor: User, supporter: Supporter, paused: bool) -> MatchPause | None:
    """Pause (or resume) new matches for a supporter.

    Rules: the caller has checked the actor may see this supporter's care (their supervisor or
    a coordinator: ``care.access.get_supporter``); pausing twice or resuming when not paused
    changes nothing. While paused, matching holds them back ("held back by their supervisor",
    ``care.holds.paused_by_supervisor``); their matches in progress carry on. Audited.
    """
    if supporter.user_id is not None and supporter.user_id == actor.pk:
        raise ValidationError(_("Only your supervisor or a coordinator can pause your new matches."))
    with transaction.atomic():
        current = MatchPause.objects.select_for_update().filter(supporter=supporter).first()
        if paused and current is None:
            current = MatchPause.objects.create(program_id=supporter.program_id, supporter=supporter, paused_by=actor)
            audit.record(
                actor=actor, program=supporter.program, action="care.pause_matches", target=supporter, changes={}
            )
        elif not paused and current is not None:
            current.delete()
            current = None
            audit.record(
                actor=actor, program=supporter.program, action="care.resume_matches", target=supporter, changes={}
            )
    return current
