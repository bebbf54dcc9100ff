"""{{ entry|record_name }}: the record an audit entry is about, named (peerpath.core.audit);
{{ entry|record_kind }} and {{ entry|record_label }}: its kind, in the reader's language, and its
label as written when it happened; {{ entry.action|action_label }}: what it did, in the reader's language."""

from __future__ import annotations

from django import template

from peerpath.core import audit
from peerpath.core.models import AuditEntry

register = template.Library()


@register.filter
def record_name(entry: AuditEntry) -> str:
    return audit.record_name(entry)


@register.filter
def record_kind(entry: AuditEntry) -> str:
    return audit.record_parts(entry)[0]


@register.filter
def record_label(entry: AuditEntry) -> str:
    return audit.record_parts(entry)[1]


@register.filter
def action_label(action: str) -> str:
    return audit.action_label(action)
