"""``{% form_token %}``: the hidden one-time token of a create form (peerpath.core.idempotency)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from peerpath.core.idempotency import FIELD, issue

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: Any) -> str:
    """A fresh token for the form being rendered (POST forms only: it would show in a GET's address)."""
    request = context.get("request")
    if request is None:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, issue(request))
