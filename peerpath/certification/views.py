from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from peerpath.certification import access, exports, keys, openbadges, queries, services
from peerpath.certification.forms import (
    CEActivityForm,
    CERuleForm,
    DecisionForm,
    PresetForm,
    RatingsForm,
    ReviewForm,
    RevokeForm,
    SettingsForm,
    SubjectForm,
)
from peerpath.certification.models import (
    AssessmentKind,
    CEActivity,
    Certificate,
    CERule,
    CEStatus,
    CompetencyRating,
    Outcome,
)
from peerpath.certification.pdf import certificate_pdf
from peerpath.core import audit
from peerpath.core.exports import as_download, download_table, requested_format
from peerpath.core.forms import add_rule_errors, add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.mail import absolute_url
from peerpath.core.permissions import Role, has_role, program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Competency, Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.training.models import CESubject
from peerpath.training.queries import attendance_rates, evidence_by_competency
from peerpath.training.services import ensure_ce_subjects

# --- Assessment (trainers) -------------------------------------------------------------------


def _assess_context(program: Program, assessment: Any) -> dict[str, Any]:
    """The outcome section's context: what the rules give for the ratings saved so far."""
    result, unrated = services.preview_outcome(assessment)
    allowed = (
        list(Outcome.values)
        if assessment.kind == AssessmentKind.INITIAL
        else [Outcome.CERTIFIED, Outcome.NOT_GRADUATED]
    )
    rules_settings = services.get_settings(program)
    decision_initial = {
        "outcome": result.outcome,
        "reassessment_due": timezone.localdate() + dt.timedelta(days=rules_settings.reassessment_days),
    }
    return {
        "program": program,
        "assessment": assessment,
        "trainee": assessment.supporter,
        "cohort": assessment.cohort,
        "result": result,
        "result_label": Outcome(result.outcome).label,
        "unrated": unrated,
        "decision_form": DecisionForm(allowed=allowed, initial=decision_initial),
        "settings": rules_settings,
    }


def _assess_page(
    request: ProgramRequest, program: Program, assessment: Any, status: int = 200, **forms: Any
) -> HttpResponse:
    competencies = list(Competency.objects.filter(program=program, is_active=True).order_by("number"))
    ratings = (
        {r.competency_id: r for r in CompetencyRating.objects.filter(assessment=assessment)} if assessment.pk else {}
    )
    evidence = evidence_by_competency(assessment.supporter, request.membership)
    ratings_form = forms.pop("ratings_form", None) or RatingsForm(competencies=competencies, ratings=ratings)
    context = {
        **_assess_context(program, assessment),
        "ratings_form": ratings_form,
        "rows": [
            {**row, "evidence": evidence.get(row["competency"].pk, {"role_plays": [], "shadowings": []})}
            for row in ratings_form.rows()
        ],
        "rate": attendance_rates(assessment.cohort, [assessment.supporter_id])[assessment.supporter_id],
        **forms,
    }
    return render(request, "certification/assess.html", context, status=status)


def _autosave_reply(request: HttpRequest, program: Program, assessment: Any) -> HttpResponse:
    """The autosave's answer (htmx): a status line, and the outcome section brought up to date."""
    context = _assess_context(program, assessment)
    return render(request, "certification/_ratings_status.html", {**context, "saved": True})


@program_view("certification.assess")
def assess(request: ProgramRequest, program: Program, cohort_pk: int, pk: int) -> HttpResponse:
    """Rate each competency on the rubric. With scripts on, htmx posts the form at every change
    (autosave: the reply is a status line and the refreshed outcome section); without, "Save
    ratings" does."""
    cohort, trainee = access.get_assessable(request.membership, cohort_pk, pk)
    if request.method == "POST":
        try:
            assessment = services.open_assessment(actor=request.user, cohort=cohort, supporter=trainee)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("certification:record", program.slug, trainee.pk)
        competencies = list(Competency.objects.filter(program=program, is_active=True).order_by("number"))
        form = RatingsForm(request.POST, competencies=competencies, ratings={})
        autosave = bool(request.headers.get("HX-Request"))
        if form.is_valid():
            try:
                services.save_ratings(actor=request.user, assessment=assessment, ratings=form.ratings())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if autosave:
                    return _autosave_reply(request, program, assessment)
                messages.success(request, _("Ratings saved."))
                return redirect("certification:assess", program.slug, cohort.pk, trainee.pk)
        if autosave:
            errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return render(request, "certification/_ratings_status.html", {"errors": errors}, status=400)
        return _assess_page(request, program, assessment, 400, ratings_form=form)
    try:
        assessment = services.assessable(actor=request.user, cohort=cohort, supporter=trainee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("certification:record", program.slug, trainee.pk)
    return _assess_page(request, program, assessment)


@program_view("certification.assess")
@require_POST
def decide(request: ProgramRequest, program: Program, cohort_pk: int, pk: int) -> HttpResponse:
    cohort, trainee = access.get_assessable(request.membership, cohort_pk, pk)
    try:
        assessment = services.open_assessment(actor=request.user, cohort=cohort, supporter=trainee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("certification:record", program.slug, trainee.pk)
    allowed = (
        list(Outcome.values)
        if assessment.kind == AssessmentKind.INITIAL
        else [Outcome.CERTIFIED, Outcome.NOT_GRADUATED]
    )
    form = DecisionForm(request.POST, allowed=allowed)
    if form.is_valid():
        try:
            services.decide_assessment(actor=request.user, assessment=assessment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            assessment.refresh_from_db()
            messages.success(request, f"{trainee.full_name}: {assessment.get_outcome_display()}.")
            return redirect("certification:record", program.slug, trainee.pk)
    return _assess_page(request, program, assessment, 400, decision_form=form)


@program_view("certification.view_record")
def record(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A trainee's competency record: ratings with evidence, assessments, certificates."""
    supporter = access.get_record_supporter(request.membership, pk)
    audit.record(actor=request.user, program=program, action="certification.record.view", target=supporter)
    certificates = list(Certificate.objects.filter(supporter=supporter).order_by("-issued_on"))
    enrolments = list(supporter.enrolments.select_related("cohort").prefetch_related("cohort__trainers"))
    assessable = [
        e.cohort
        for e in enrolments
        if e.status != "withdrawn"
        and has_role(request.membership, Role.TRAINER)
        and request.user in e.cohort.trainers.all()
        and supporter.user_id != request.user.pk
        and supporter.stage in ("in_training", "provisional")
    ]
    return render(
        request,
        "certification/record.html",
        {
            "program": program,
            "person": supporter,
            **queries.competency_record(supporter, request.membership),
            "certificates": certificates,
            "enrolments": enrolments,
            "assessable": assessable,
            "today": timezone.localdate(),
        },
    )


# --- Coordinator -----------------------------------------------------------------------------


@program_view("certification.overview")
def overview(request: ProgramRequest, program: Program) -> HttpResponse:
    data = queries.overview(program)
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-certification", fmt, exports.overview(data))
    return render(request, "certification/overview.html", {"program": program, **data})


@program_view("certification.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    current = services.get_settings(program)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=request.user, program=program, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Certification rules saved."))
            return redirect("certification:settings", program.slug)
    return render(
        request,
        "certification/settings.html",
        {"program": program, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _ce_rule_page(
    request: ProgramRequest,
    program: Program,
    *,
    rule_form: CERuleForm | None = None,
    preset_form: PresetForm | None = None,
    subject_form: SubjectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = services.current_rule(program)
    subjects = ensure_ce_subjects(program)
    spec = services.rule_spec(current)
    if rule_form is None:
        rule_form = CERuleForm(
            instance=CERule(**{f: getattr(current, f) for f in services.RULE_FIELDS}),
            subjects=subjects,
            minimums={m.subject: m.hours for m in spec.minimums},
        )
    return render(
        request,
        "certification/ce_rule.html",
        {
            "program": program,
            "rule": current,
            "spec": spec,
            "versions": queries.ce_rule_versions(program),
            "subjects": subjects,
            "presets": services.ce_presets(),
            "rule_form": rule_form,
            "preset_form": preset_form or PresetForm(presets=services.ce_presets()),
            "subject_form": subject_form or SubjectForm(auto_id="id_subject_%s"),
        },
        status=status,
    )


@program_view("certification.edit_settings")
def ce_rule(request: ProgramRequest, program: Program) -> HttpResponse:
    if request.method != "POST":
        return _ce_rule_page(request, program)
    form = CERuleForm(request.POST, subjects=ensure_ce_subjects(program), minimums={})
    if form.is_valid():
        data = {f: form.cleaned_data.get(f) for f in services.RULE_FIELDS}
        try:
            services.save_ce_rule(actor=request.user, program=program, data=data, minimums=form.minimums())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("New rule saved: it applies to each certificate from its next cycle."))
            return redirect("certification:ce_rule", program.slug)
    return _ce_rule_page(request, program, rule_form=form, status=400)


@program_view("certification.edit_settings")
@require_POST
def ce_rule_preset(request: ProgramRequest, program: Program) -> HttpResponse:
    form = PresetForm(request.POST, presets=services.ce_presets())
    if form.is_valid():
        try:
            services.apply_ce_preset(actor=request.user, program=program, key=form.cleaned_data["preset"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Preset applied as a new rule: it applies to each certificate from its next cycle.")
            )
            return redirect("certification:ce_rule", program.slug)
    return _ce_rule_page(request, program, preset_form=form, status=400)


@program_view("certification.edit_settings")
@require_POST
@creates_once
def ce_subject_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    subject = get_object_or_404(CESubject, program=program, pk=pk) if pk else None
    form = SubjectForm(request.POST, auto_id="id_subject_%s")
    if form.is_valid():
        try:
            services.save_ce_subject(
                actor=request.user, program=program, subject=subject, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Subject saved."))
            return redirect("certification:ce_rule", program.slug)
    return _ce_rule_page(request, program, subject_form=form, status=400)


def _certificate_page(
    request: HttpRequest, program: Program, certificate: Certificate, status: int = 200, **forms: Any
) -> HttpResponse:
    result = services.certificate_standing(certificate) if certificate.revoked_at is None else None
    return render(
        request,
        "certification/certificate.html",
        {
            "program": program,
            "certificate": certificate,
            "standing": result,
            "changes": certificate.changes.select_related("actor"),
            "revoke_form": forms.get("revoke_form") or RevokeForm(),
            "verification_url": absolute_url(certificate.verification_path()),
        },
        status=status,
    )


@program_view("certification.manage_certificates")
def certificate(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _certificate_page(request, program, access.get_certificate(program, pk))


@program_view("certification.manage_certificates")
@require_POST
def certificate_revoke(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_certificate(program, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(actor=request.user, certificate=found, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Certificate revoked. Verification now says so."))
            return redirect("certification:certificate", program.slug, found.pk)
    return _certificate_page(request, program, found, 400, revoke_form=form)


@program_view("certification.manage_certificates")
@require_POST
@creates_once
def certificate_renew(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_certificate(program, pk)
    try:
        services.renew_certificate(actor=request.user, certificate=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _certificate_page(request, program, found, 400)
    messages.success(request, _("Certificate renewed."))
    return redirect("certification:certificate", program.slug, found.pk)


def _pdf_response(found: Certificate) -> HttpResponse:
    body = certificate_pdf(found, absolute_url(found.verification_path()))
    response = HttpResponse(body, content_type="application/pdf")
    as_download(response, f"certificate-{found.identifier}.pdf")
    return response


def _badge_response(found: Certificate) -> HttpResponse:
    if found.revoked_at is not None:
        raise Http404(_("This certificate was revoked."))
    response = HttpResponse(openbadges.signed_credential(found), content_type=openbadges.MEDIA_TYPE)
    as_download(response, f"openbadge-{found.identifier}.jwt")
    return response


@program_view("certification.manage_certificates")
def certificate_pdf_view(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _pdf_response(access.get_certificate(program, pk))


@program_view("certification.manage_certificates")
def certificate_badge(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _badge_response(access.get_certificate(program, pk))


@program_view("certification.review_ce")
def ce_review(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    activity = access.get_ce_activity(program, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_ce_activity(
                actor=request.user,
                activity=activity,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Activity {activity.get_status_display().lower()}.")
            return redirect("certification:overview", program.slug)
    return render(
        request,
        "certification/ce_review.html",
        {
            "program": program,
            "activity": activity,
            "form": form,
            "history": activity.changes.select_related("actor"),
            "can_review": activity.status == CEStatus.SUBMITTED,
        },
        status=400 if request.method == "POST" else 200,
    )


def _evidence_response(activity: CEActivity) -> FileResponse:
    if not activity.evidence:
        raise Http404(_("No evidence file."))
    try:
        handle = activity.evidence.open("rb")
    except FileNotFoundError:
        raise Http404(_("The evidence file is missing.")) from None
    return as_download(FileResponse(handle), activity.evidence_name or "evidence")


@program_view("certification.review_ce")
def ce_evidence(request: ProgramRequest, program: Program, pk: int) -> FileResponse:
    return _evidence_response(access.get_ce_activity(program, pk))


# --- Supporter -------------------------------------------------------------------------------


@program_view("certification.own_credentials")
def my_ce(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    data = queries.my_ce(supporter)
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-my-continuing-education", fmt, exports.my_ce(data))
    return render(
        request,
        "certification/my_ce.html",
        {
            "program": program,
            "supporter": supporter,
            **data,
            "settings": services.get_settings(program),
        },
    )


@program_view("certification.own_credentials")
@creates_once
def my_ce_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    activity = access.own_ce_activity(supporter, pk) if pk else None
    if activity is not None and (activity.status == CEStatus.APPROVED or activity.is_automatic):
        raise Http404(_("Approved activities cannot be changed."))
    initial = {"date": timezone.localdate(), "category": "peer-specific"}
    if activity:
        initial = {
            "date": activity.date,
            "title": activity.title,
            "provider": activity.provider,
            "hours": activity.hours,
            "category": activity.category,
            "delivery": activity.delivery,
        }
    form = CEActivityForm(request.POST or None, request.FILES or None, initial=initial, program=program)
    if request.method == "POST" and not form.is_valid():
        add_rule_errors(form, lambda data: services.check_ce_activity(data, program))
    elif request.method == "POST":
        data = form.cleaned_data
        try:
            if activity is None:
                services.log_ce_activity(actor=request.user, supporter=supporter, **data)
            else:
                services.resubmit_ce_activity(actor=request.user, activity=activity, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Activity sent for approval."))
            return redirect("certification:my_ce", program.slug)
    return render(
        request,
        "certification/ce_form.html",
        {"program": program, "form": form, "activity": activity},
        status=400 if request.method == "POST" else 200,
    )


@program_view("certification.own_credentials")
def my_ce_evidence(request: ProgramRequest, program: Program, pk: int) -> FileResponse:
    supporter = own_supporter_record(program, request.user)
    return _evidence_response(access.own_ce_activity(supporter, pk))


@program_view("certification.own_credentials")
def my_certificate_pdf(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    return _pdf_response(access.own_certificate(supporter, pk))


@program_view("certification.own_credentials")
def my_certificate_badge(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    return _badge_response(access.own_certificate(supporter, pk))


# --- Public ----------------------------------------------------------------------------------


@public
def verify(request: HttpRequest, identifier: str) -> HttpResponse:
    """Anyone can check a certificate: only name, program, credential, status and dates."""
    found = (
        Certificate.objects.select_related("program")
        .filter(identifier=identifier.strip().upper(), program__is_active=True)
        .first()
    )
    if found is None:
        return render(request, "certification/verify.html", {"found": None, "identifier": identifier}, status=404)
    return render(
        request,
        "certification/verify.html",
        {"found": found, "status": found.status, "status_label": found.get_status_display()},
    )


def _program_or_404(slug: str) -> Program:
    return get_object_or_404(Program, slug=slug, is_active=True)


def _json(data: dict[str, Any], content_type: str = "application/json") -> JsonResponse:
    response = JsonResponse(data, content_type=content_type, json_dumps_params={"indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public
def jwks(request: HttpRequest, program_slug: str) -> JsonResponse:
    """The program's public key(s) for verifying its credentials."""
    return _json(keys.public_jwks(_program_or_404(program_slug).slug), "application/jwk-set+json")


@public
def issuer(request: HttpRequest, program_slug: str) -> JsonResponse:
    program = _program_or_404(program_slug)
    profile = openbadges.issuer_profile(program)
    return _json({"@context": openbadges.CONTEXT, **profile})


@public
def achievement(request: HttpRequest, program_slug: str) -> JsonResponse:
    program = _program_or_404(program_slug)
    data = openbadges.achievement(program, services.get_settings(program).credential_name)
    return _json({"@context": openbadges.CONTEXT, **data})


@program_view("certification.own_credentials")
def my_ce_rule(request: ProgramRequest, program: Program) -> HttpResponse:
    """The rule the supporter's current cycle runs under (and the program's newer one, if any)."""
    supporter = own_supporter_record(program, request.user)
    certificate = services.current_certificate(supporter)
    mine = services.rule_for(certificate) if certificate else services.current_rule(program)
    newest = services.current_rule(program)
    return render(
        request,
        "certification/my_ce_rule.html",
        {
            "program": program,
            "certificate": certificate,
            "rule": mine,
            "spec": services.rule_spec(mine),
            "newer": services.rule_spec(newest) if newest.pk != mine.pk else None,
        },
    )
