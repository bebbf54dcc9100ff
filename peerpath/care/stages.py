"""Which pathway stages each part of supporter care applies to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.recruitment.models import Stage

# People giving support (or learning to, beside someone): supervision and check-ins come due.
SERVING_STAGES = frozenset({Stage.SHADOWING, Stage.ACTIVE, Stage.PROVISIONAL})
# People who may take a break, have a buddy or be recognised for their service.
CURRENT_STAGES = SERVING_STAGES | {Stage.ON_BREAK}
# People a supervisor is assigned to (from training on, as recruitment's help text says).
SUPERVISED_STAGES = CURRENT_STAGES | {Stage.IN_TRAINING, Stage.ASSESSED, Stage.CERTIFIED}
# People who may be recognised (including those who have stepped back).
RECOGNISABLE_STAGES = CURRENT_STAGES | {Stage.CERTIFIED, Stage.INACTIVE, Stage.ALUMNI}


class Audience:
    """Newsletter audiences, each a set of pathway stages."""

    ACTIVE = "active"
    ON_BREAK = "on_break"
    TRAINEES = "trainees"
    INACTIVE_ALUMNI = "inactive_alumni"

    CHOICES = [
        (ACTIVE, _("Active supporters (shadowing, certified, provisional, active)")),
        (ON_BREAK, _("Supporters on a break")),
        (TRAINEES, _("Trainees (accepted, in training, assessed)")),
        (INACTIVE_ALUMNI, _("Inactive supporters and alumni")),
    ]
    STAGES: dict[str, frozenset[str]] = {
        ACTIVE: frozenset({Stage.SHADOWING, Stage.CERTIFIED, Stage.PROVISIONAL, Stage.ACTIVE}),
        ON_BREAK: frozenset({Stage.ON_BREAK}),
        TRAINEES: frozenset({Stage.ACCEPTED, Stage.IN_TRAINING, Stage.ASSESSED}),
        INACTIVE_ALUMNI: frozenset({Stage.INACTIVE, Stage.ALUMNI}),
    }

    @classmethod
    def label(cls, key: str) -> str:
        return str(dict(cls.CHOICES).get(key, key))

    @classmethod
    def stages_for(cls, keys: list[str]) -> set[str]:
        stages: set[str] = set()
        for key in keys:
            stages |= cls.STAGES.get(key, frozenset())
        return stages
