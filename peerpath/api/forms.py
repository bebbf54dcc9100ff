from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.api.tokens import DEFAULT_LIFETIME_DAYS

LIFETIME_CHOICES = [
    (7, _("7 days")),
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("1 year")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What is this token for?"), max_length=100)
    lifetime_days = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=LIFETIME_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        initial=DEFAULT_LIFETIME_DAYS,
        help_text=_("The API refuses the token after this; make a new one then."),
    )

    def clean_lifetime_days(self) -> int:
        """A form sent without a lifetime (an older page, a script) gets the default."""
        return self.cleaned_data["lifetime_days"] or DEFAULT_LIFETIME_DAYS
