from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.permissions import ROLE_LABELS, Role
from peerpath.programs.models import Competency, FocusArea, Program, RetentionSettings

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


class ProgramSettingsForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "population",
            "contact_email",
            "accepting_applications",
            "application_intro",
        ]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "population": _("Who the program serves"),
            "contact_email": _("Contact e-mail"),
            "accepting_applications": _("Taking applications"),
            "application_intro": _("Introduction on the application form"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "application_intro": forms.Textarea(attrs={"rows": 4}),
        }


class SecondFactorSettingsForm(forms.ModelForm):
    """The roles that must use two-factor sign-in in the program (its own settings section)."""

    class Meta:
        model = Program
        fields = ["second_factor_for_coordinators", "second_factor_for_supervisors", "second_factor_for_trainers"]


class RetentionSettingsForm(forms.ModelForm):
    class Meta:
        model = RetentionSettings
        fields = ["closed_participant_days", "audit_days", "draft_days"]


class MemberInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)

    def clean_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class MembershipForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active member"), required=False)

    def clean_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class CompetencyForm(forms.ModelForm):
    class Meta:
        model = Competency
        fields = ["number", "title", "description", "is_core", "is_active"]
        labels = {
            "number": _("Number"),
            "title": _("Title"),
            "description": _("Description"),
            "is_core": _("Core competency"),
            "is_active": _("In use"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["name", "position", "is_active"]
        labels = {"name": _("Name"), "position": _("Position in the list"), "is_active": _("In use")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Area")
