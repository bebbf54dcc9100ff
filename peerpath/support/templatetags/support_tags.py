from django import template

from peerpath.support.models import AgeBand, Availability, Criterion, Gender, Mode

register = template.Library()

CHOICES = {"mode": Mode, "availability": Availability, "age": AgeBand, "criterion": Criterion, "gender": Gender}


@register.filter
def choice_label(value: str, kind: str) -> str:
    """The label of a stored choice value (modes, times, age bands, criteria)."""
    choices = CHOICES.get(kind)
    try:
        return str(choices(value).label) if choices else value
    except ValueError:
        return value
