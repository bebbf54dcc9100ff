from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.api import tokens
from peerpath.api.forms import TokenForm
from peerpath.api.models import ApiToken
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthenticatedRequest
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import login_required_view


@login_required_view
@creates_once
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = tokens.create_token(
                    actor=request.user, name=form.cleaned_data["name"], lifetime_days=form.cleaned_data["lifetime_days"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "api/tokens.html", {"form": form, "rows": rows, "secret": secret}, status=status)


@login_required_view
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, pk=pk)
    tokens.revoke_token(actor=request.user, token=token)
    messages.success(request, _("Token '%(name)s' revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
