"""The inbox, the notification settings on a person's account, a page's acknowledgement link, and
the text-message provider's webhooks (public: their signature is the key)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse

from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthenticatedRequest
from peerpath.core.permissions import login_required_view, program_view, public
from peerpath.notifications import inbound, kinds, paging, queries, services, sms
from peerpath.notifications.forms import PreferencesForm
from peerpath.notifications.models import Notice
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program


@login_required_view
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    rows = Notice.objects.filter(user=request.user, in_inbox=True).select_related("program")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    unread = services.unread(request.user).count()
    return render(request, "notifications/inbox.html", {"page_obj": page, "unread": unread})


@login_required_view
@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    services.mark_read(actor=request.user, notices=services.unread(request.user))
    messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:inbox")


@login_required_view
@require_POST
def open_notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notice read and go where it points."""
    notice = get_object_or_404(Notice, pk=pk, user=request.user, in_inbox=True)
    services.mark_read(actor=request.user, notices=Notice.objects.filter(pk=notice.pk))
    return redirect(notice.url or "notifications:inbox")


@login_required_view
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, preferences=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_preferences(
                    actor=request.user,
                    channels=form.chosen_channels(),
                    quiet_from=data["quiet_from"],
                    quiet_until=data["quiet_until"],
                    digest=data["digest"],
                    time_zone=data["time_zone"],
                    phone=data.get("phone", current.phone) or "",
                    texts=bool(data.get("texts", current.texts_allowed)),
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:preferences")
        else:
            status = 400
    context = {"form": form, "preferences": current, "texts_on": sms.enabled()}
    return render(request, "notifications/preferences.html", context, status=status)


@login_required_view
def page(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The link in a page's text: the person paged sees it and acknowledges it."""
    found = paging.page_for_token(token)
    if found is None or found.user_id != request.user.pk:
        raise Http404
    status = 200
    if request.method == "POST":
        try:
            paging.acknowledge(actor=request.user, page=found, via="link")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            status = 400
        else:
            messages.success(request, _("Acknowledged."))
            return redirect(found.notice.url or "notifications:inbox")
    return render(request, "notifications/page.html", {"page": found}, status=status)


def _verified(request: HttpRequest) -> bool:
    if not sms.enabled():
        return False
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    signature = request.headers.get("X-Twilio-Signature", "")
    params = {key: request.POST.get(key, "") for key in request.POST}
    return sms.provider().verify(url=url, params=params, signature=signature)


@public
@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """The provider posts each reply here (Twilio's incoming-message webhook)."""
    if not _verified(request):
        return HttpResponseForbidden("The request's signature does not match.")
    answer = inbound.receive(
        phone=request.POST.get("From", ""),
        body=request.POST.get("Body", ""),
        provider_id=request.POST.get("MessageSid", ""),
    )
    twiml = MessagingResponse()
    if answer:
        twiml.message(answer)
    return HttpResponse(str(twiml), content_type="text/xml")


@public
@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """The provider posts each text's delivery status here (its status callback)."""
    if not _verified(request):
        return HttpResponseForbidden("The request's signature does not match.")
    inbound.record_status(
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
        phone=request.POST.get("To", ""),
    )
    return HttpResponse(status=204)


FAILED_PER_PAGE = 50


@program_view("notifications.view_failed")
def failed(request: ProgramRequest, program: Program) -> HttpResponse:
    """The program's texts and e-mails that could not be delivered, each to send again."""
    page = Paginator(queries.failed_deliveries(program), FAILED_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(d, kinds.label_of(d.kind)) for d in page]
    return render(request, "notifications/failed.html", {"program": program, "page_obj": page, "rows": rows})


@program_view("notifications.view_failed")
@require_POST
def retry(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Send one failed message again (audited)."""
    found = get_object_or_404(queries.failed_deliveries(program), pk=pk)
    try:
        services.retry_delivery(actor=request.user, delivery=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("notifications:failed", program.slug)
