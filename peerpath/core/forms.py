from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerpath.core.audit import record_type_label
from peerpath.core.mail import queue_account_link_email


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That e-mail and password do not match an account. Both are case-sensitive for the password."
        ),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail goes through the background queue like every other; the
    queue holds the user id, and the link is built when the e-mail is sent."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        queue_account_link_email(
            user=context["user"], kind="password_reset", template="core/email/password_reset", context={}
        )


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Person"), required=False)
    # Kinds of record in the reader's language (peerpath.core.record_kinds).
    target_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    target_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    action = forms.CharField(label=_("Action contains"), required=False, max_length=80)

    def __init__(self, *args: Any, actors: list[tuple[str, str]], target_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "actor").choices = [("", _("Anyone")), *actors]
        choice_field(self, "target_type").choices = [
            ("", _("Any")),
            *sorted(((t, record_type_label(t)) for t in target_types), key=lambda c: c[1]),
        ]


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, to set its choices for this program or person."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # the form declares it so
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model choice field ``name``, to narrow its queryset to this program."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # the form declares it so
    return field


def add_rule_errors(form: forms.BaseForm, check: Callable[[dict[str, Any]], object]) -> None:
    """Run a service's checks on what a failed form did clean, so one submit shows the form's
    errors and the service's rules together, not one round after the other. A field that has an
    error already keeps it alone; nothing is saved (`check` only validates)."""
    data = dict(getattr(form, "cleaned_data", {}))
    try:
        check(data)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return
        for field, errors in error.error_dict.items():
            if field in form.fields and field not in form.errors:
                form.add_error(field, errors)


def add_service_errors(form: forms.BaseForm, error: Any) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _NamedInItsLanguage:
    """Options that name a language in itself ("English", "Español") carry that language (``lang``)
    and ``translate="no"``: a reader looks for their own language's name, so neither the browser
    nor a translator should turn it into the page's language. The blank option stays page text."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)  # type: ignore[misc]
        if option["value"]:
            option["attrs"] = {**option["attrs"], "lang": str(option["value"]), "translate": "no"}
        return option


class LanguageSelect(_NamedInItsLanguage, forms.Select):
    """A select of languages, each named in itself (see ``_NamedInItsLanguage``)."""


class LanguageRadioSelect(_NamedInItsLanguage, forms.RadioSelect):
    """Radio buttons of languages, each named in itself; ``field.html`` gives each label its language."""


class LanguageForm(forms.Form):
    """The language a person chooses for their pages and for what PeerPath sends them."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Pages, e-mails and messages to you will be in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from peerpath.core.languages import choices

        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The language of my browser")), *choices()]


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )
