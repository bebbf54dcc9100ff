from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import model_choice_field
from peerpath.credentials.models import (
    CredentialSettings,
    LearningModule,
    MaterialKind,
    QualificationOutcome,
    QualificationType,
    TrainingDomain,
)
from peerpath.programs.models import Competency
from peerpath.training.models import Topic
from peerpath.training.services import ce_subject_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QualificationTypeForm(forms.ModelForm):
    class Meta:
        model = QualificationType
        fields = [
            "name",
            "kind",
            "description",
            "valid_months",
            "references_needed",
            "agreement_text",
            "for_new_matches",
            "for_facilitating",
            "for_training_others",
            "missing_holds_back",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "agreement_text": forms.Textarea(attrs={"rows": 6}),
        }


class RecordForm(forms.Form):
    qtype = forms.ModelChoiceField(label=_("Qualification"), queryset=QualificationType.objects.none())
    obtained_on = forms.DateField(label=_("Date"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Expires on"), widget=DATE, required=False, help_text=_("Empty: the qualification's usual validity.")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=QualificationOutcome.choices)
    detail = forms.CharField(
        label=_("Detail"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who gave the reference, the check's reference number... Kept encrypted."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("PDF, image or document, up to 10 MB; only coordinators can open it."),
    )

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "qtype").queryset = QualificationType.objects.filter(program=program, is_active=True)


class SignForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)
    agree = forms.BooleanField(label=_("I have read the text above and agree to it."))


class CredentialSettingsForm(forms.ModelForm):
    class Meta:
        model = CredentialSettings
        fields = [
            "name",
            "body",
            "supervised_hours_required",
            "experience_hours_required",
            "documents",
            "exam_required",
            "exam_pass_score",
        ]
        widgets = {"documents": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "documents").queryset = QualificationType.objects.filter(program=program)


class DomainForm(forms.ModelForm):
    class Meta:
        model = TrainingDomain
        fields = ["name", "hours_required", "topics"]
        widgets = {"topics": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "topics").queryset = Topic.objects.filter(program=program, is_active=True)


class ExternalTrainingForm(forms.Form):
    domain = forms.ModelChoiceField(label=_("Domain"), queryset=TrainingDomain.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    taken_on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=200, decimal_places=2)

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "domain").queryset = TrainingDomain.objects.filter(program=program)


class ExamForm(forms.Form):
    taken_on = forms.DateField(label=_("Date of the exam"), widget=DATE)
    score = forms.IntegerField(label=_("Score (%)"), min_value=0, max_value=100)


# --- Self-paced learning -----------------------------------------------------------------------


class LearningSettingsForm(forms.Form):
    self_paced_makes_up_sessions = forms.BooleanField(
        label=_("A completed module makes up a missed course session on its topic"),
        required=False,
        help_text=_(
            "When a trainee who missed a course session later completes published modules on every "
            "one of its topics, the session counts as made up by those modules (shown as such, not as "
            "attended) in the cohort's grid, the attendance figures and the trainee's list of what is left."
        ),
    )


class ModuleForm(forms.ModelForm):
    ce_subject = forms.ChoiceField(label=_("Continuing-education subject"), required=False)

    class Meta:
        model = LearningModule
        fields = [
            "title",
            "summary",
            "topic",
            "competencies",
            "hours",
            "ce_subject",
            "counts_for_training",
            "pass_mark",
            "max_attempts",
            "is_published",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "competencies": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "topic").queryset = Topic.objects.filter(program=program, is_active=True)
        model_choice_field(self, "competencies").queryset = Competency.objects.filter(program=program, is_active=True)
        subject = self.fields["ce_subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = [("", _("None: it does not count as continuing education")), *ce_subject_choices(program)]
        subject.help_text = _("Certified supporters get its hours as self-paced continuing education.")


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text=_("For a reading.")
    )
    url = forms.CharField(
        label=_("Address (link or video)"),
        required=False,
        max_length=200,
        widget=forms.URLInput,
        help_text=_("For a link or a video: https://..."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("For a document: PDF, document, presentation or image, up to 20 MB."),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    choice_1 = forms.CharField(label=_("Answer 1"), max_length=300, required=False)
    choice_2 = forms.CharField(label=_("Answer 2"), max_length=300, required=False)
    choice_3 = forms.CharField(label=_("Answer 3"), max_length=300, required=False)
    choice_4 = forms.CharField(label=_("Answer 4"), max_length=300, required=False)
    choice_5 = forms.CharField(label=_("Answer 5"), max_length=300, required=False)
    choice_6 = forms.CharField(label=_("Answer 6"), max_length=300, required=False)
    correct = forms.TypedChoiceField(label=_("The right answer"), coerce=int)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown after each attempt."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        correct = self.fields["correct"]
        assert isinstance(correct, forms.TypedChoiceField)
        correct.choices = [(n, gettext("Answer %(n)d") % {"n": n}) for n in range(1, 7)]  # in the page's language

    def choices(self) -> list[str]:
        return [self.cleaned_data.get(f"choice_{n}") or "" for n in range(1, 7)]


class QuizForm(forms.Form):
    """One radio group per question of the module's quiz."""

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=_("%(n)d. %(question)s") % {"n": number, "question": question.text},
                choices=[(c.pk, c.text) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def answers(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ResetForm(forms.Form):
    reason = forms.CharField(label=_("Why it starts afresh"), max_length=500)
