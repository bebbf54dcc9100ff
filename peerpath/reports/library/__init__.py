"""The reports on the program dashboard, one module per area. Importing this package registers
them all, in the order the dashboard shows them."""

from peerpath.reports.library.care import SupervisionCoverage, WellbeingBands
from peerpath.reports.library.certification import CertificationStatus
from peerpath.reports.library.hours import PeopleReached, UnitsOfService
from peerpath.reports.library.plans import NeedsAndReferrals
from peerpath.reports.library.recruitment import RecruitmentFunnel, SupporterRetention
from peerpath.reports.library.support import (
    CapacityAndWaiting,
    ConcernsAndEvents,
    ContactsByMonth,
    ContactsByTask,
    FollowUpAdherence,
    Unreachable,
)
from peerpath.reports.library.training import CompetencyGaps, TrainingOutcomes
from peerpath.reports.library.voice import OutcomeChange

__all__ = [
    "CapacityAndWaiting",
    "CertificationStatus",
    "CompetencyGaps",
    "ConcernsAndEvents",
    "ContactsByMonth",
    "ContactsByTask",
    "FollowUpAdherence",
    "NeedsAndReferrals",
    "OutcomeChange",
    "PeopleReached",
    "RecruitmentFunnel",
    "SupervisionCoverage",
    "SupporterRetention",
    "TrainingOutcomes",
    "UnitsOfService",
    "Unreachable",
    "WellbeingBands",
]
