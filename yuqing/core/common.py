"""Small helpers the services of every app share: input cleaning (forms and API alike), the clock,
how a person is named, and the canonical hash of signed content. No domain app is imported here."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def content_hash(content: Any) -> str:
    """SHA-256 of the canonical JSON of ``content`` (sorted keys, UTF-8, no spaces)."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def user_label(user: Any) -> str:
    if user is None:
        return "系统"
    try:
        name = user.person.name
    except AttributeError:
        name = user.get_full_name()
    return name or user.get_username()


def clean_text(
    value: Any,
    *,
    field: str,
    label: str,
    max_length: int | None = None,
    required: bool = False,
    errors: dict[str, str],
) -> str:
    """Text from a form or the API: stripped, control characters removed, length checked. HTML is kept
    as text — every template escapes it — so nothing typed is lost."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if required and not text:
        errors[field] = f"请填写{label}"
    elif max_length and len(text) > max_length:
        errors[field] = f"{label}不能超过 {max_length} 个字符（现有 {len(text)} 个）"
    return text


def fetch_row(model: Any, value: Any) -> Any:
    """The row with primary key ``value``, or None for a missing, malformed or unknown key."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    manager = model.objects if hasattr(model, "objects") else model
    return manager.filter(pk=pk).first()


def parse_time(
    value: Any,
    *,
    field: str,
    label: str,
    errors: dict[str, str],
    not_after: datetime | None = None,
    after: datetime | None = None,
) -> datetime | None:
    """A date-time from a form or the API ("2026-11-27 09:30", ISO 8601; naive means Asia/Shanghai), or
    None when empty. ``not_after``: may not be later (a minute of clock skew allowed); ``after``: must be
    later. Problems go into ``errors[field]``."""
    if value in (None, ""):
        return None
    at = value if isinstance(value, datetime) else parse_datetime(str(value).strip().replace(" ", "T", 1))
    if at is None:
        errors[field] = f"{label}格式不对，应如 2026-11-27 09:30"
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if not_after is not None and at > not_after + timedelta(minutes=1):
        errors[field] = f"{label}不能晚于当前时间"
    if after is not None and at <= after:
        errors[field] = f"{label}须晚于当前时间"
    return at
