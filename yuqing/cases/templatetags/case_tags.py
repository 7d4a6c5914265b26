from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from yuqing.cases.access import level_name, user_clearance

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` — a dict lookup with a variable key ("" when absent)."""
    if mapping is None:
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def err(refusal: Any, field: str) -> str:
    """The message for ``field`` of a refusal (a ProcedureError) or ""."""
    errors = getattr(refusal, "errors", None) or {}
    return errors.get(field, "")


@register.filter
def case_title_for(case: Any, user: Any) -> str:
    """``case|case_title_for:request.user`` — the case's title, or ``[秘密] 案件 #12`` for a reader whose
    clearance is below the case's 密级 (task owners included: a commentator sees the task, not the case)."""
    if case is None:
        return ""
    if user_clearance(user) >= case.confidentiality:
        return str(case.title)
    return f"[{level_name(case.confidentiality)}] 案件 #{case.pk}"


@register.filter
def local_time(value: Any) -> str:
    """``value|local_time`` — a moment (a datetime, or an ISO string as plans store their measures'
    deadlines) in local time as people read it, ``11月28日 16:01`` ("" when there is none)."""
    if isinstance(value, str):
        parsed = parse_datetime(value.strip()) if value.strip() else None
        if parsed is None:
            return value
        value = parsed
    if not isinstance(value, datetime):
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return date_format(timezone.localtime(value), "n月j日 H:i")


@register.filter
def iso_local(value: Any) -> str:
    """An ISO date-time string (as stored in a plan's measures) as local time, ``11月28日 16:01``."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    at = parse_datetime(str(value or ""))
    if at is None:
        return str(value or "")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    local = timezone.localtime(at)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
