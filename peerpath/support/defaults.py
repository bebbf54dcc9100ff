"""The support settings a program starts with (all editable on the Support settings page).

Written for PeerPath from the seeds' advice (002, 004): the crisis protocol, the steps for a
participant who cannot be reached, and the program's own check questions for a concern or
crisis. No licensed clinical scale is used.
"""

from __future__ import annotations

from peerpath.core.program_settings import ProgramSettings
from peerpath.programs.models import Program
from peerpath.support.models import SupportSettings

CRISIS_STEPS = [
    "If anyone is in immediate danger, call the emergency number now.",
    "Stay with the person, in person or on the line, if it is safe for you to do so.",
    "Stay calm, listen, and ask directly whether they are thinking of harming themselves or someone else.",
    "Offer the crisis line and help them make the call or send the text.",
    "Do not carry this alone: this form tells your supervisor at once. Wait for them to get back to you.",
    "Afterwards, look after yourself and talk it through with your supervisor.",
]
REFERRAL_OPTIONS = [
    "Their own doctor or clinic",
    "Community mental health center (same-day assessment)",
    "Substance use treatment helpline",
    "Emergency department",
]
UNREACHABLE_STEPS = [
    "Try another channel or another time of day (a text instead of a call, an evening instead of a morning).",
    "Ask the coordinator to reach out on behalf of the program.",
    "If there is still no answer, close the relationship as unreachable, or rematch if the participant asks again.",
]
CONCERN_QUESTIONS = [
    "Is the participant safe right now?",
    "Have they spoken about harming themselves or someone else?",
    "Is there someone with them, or someone they can call?",
    "Are they in touch with a doctor, counselor or other professional?",
    "What has changed since your last contact?",
]


def defaults() -> dict[str, object]:
    return {
        "request_intro": "Tell us a little about yourself and what you are going through. A coordinator will "
        "get in touch to talk it over before introducing you to a peer supporter who has been there.",
        "crisis_steps": "\n".join(CRISIS_STEPS),
        "emergency_number": "911",
        "crisis_line": "988 Suicide & Crisis Lifeline (call or text 988)",
        "referral_options": "\n".join(REFERRAL_OPTIONS),
        "unreachable_steps": "\n".join(UNREACHABLE_STEPS),
        "concern_questions": "\n".join(CONCERN_QUESTIONS),
    }


# Read on most support pages, several times on some: kept on the program object.
_SETTINGS = ProgramSettings(SupportSettings, defaults=defaults, remember=True)


def get_settings(program: Program) -> SupportSettings:
    """The program's support settings, created with the defaults on first use."""
    return _SETTINGS.get(program)
