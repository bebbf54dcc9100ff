"""{{ entry|record_name }}: the record an audit entry is about, named (peerpath.core.audit)."""

from __future__ import annotations

from django import template

from peerpath.core import audit
from peerpath.core.models import AuditEntry

register = template.Library()


@register.filter
def record_name(entry: AuditEntry) -> str:
    return audit.record_name(entry)
