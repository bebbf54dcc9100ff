"""Coordinator pages: needs attention, support settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.exports import requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import exports, queries
from peerpath.support.defaults import get_settings
from peerpath.support.forms import (
    SupportSettingsForm,
)
from peerpath.support.services import common as support_common
from peerpath.support.services import participants as support_participants
from peerpath.support.views.common import download_list


@program_view("support.view_attention")
def attention(request: ProgramRequest, program: Program) -> HttpResponse:
    data = queries.attention(program)
    if fmt := requested_format(request):
        return download_list(request, program, fmt, "needs attention", exports.attention(data))
    shown = [r.participant for r in [*data["unreachable"], *data["quiet"], *data["overdue"]]]
    support_participants.record_list_view(
        actor=request.user, program=program, participants=shown, page=gettext_noop("needs attention")
    )
    return render(request, "support/attention.html", {"program": program, **data})


@program_view("support.edit_settings")
def support_settings(request: ProgramRequest, program: Program) -> HttpResponse:
    row = get_settings(program)
    form = SupportSettingsForm(request.POST or None, instance=type(row).objects.get(pk=row.pk))
    if request.method == "POST" and form.is_valid():
        try:
            support_common.update_settings(
                actor=request.user, program=program, data={k: form.cleaned_data[k] for k in form.changed_data}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Support settings saved."))
            return redirect("support:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/settings.html",
        {"program": program, "form": form, "escalation_order": queries.escalation_order(program)},
        status=status,
    )


@program_view("program.home")
@require_POST
def notifications_read(request: ProgramRequest, program: Program) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    support_common.mark_read(actor=request.user, program=program, notification_ids=ids or None)
    return redirect("programs:home", program.slug)
