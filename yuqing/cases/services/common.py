"""What every procedure service shares: the error type (a ServiceError), clocks, content hashing,
notifications."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yuqing.core.errors import FORBIDDEN, INVALID, Kind, ServiceError
from yuqing.org import access


class ProcedureError(ServiceError):
    """A step of the procedure refused (a :class:`~yuqing.core.errors.ServiceError`): ``kind`` is
    ``forbidden`` (403), ``conflict`` (409: wrong state) or ``invalid`` (422: bad input, ``errors`` by
    field name with Chinese messages). ``code=`` is accepted as the former name of ``kind``."""

    def __init__(
        self,
        message: str = "",
        *,
        kind: Kind | None = None,
        code: Kind | None = None,
        field: str | None = None,
        errors: Mapping[str, str] | None = None,
        missing: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message, kind=kind or code, field=field, errors=errors, missing=missing)


def forbidden(message: str) -> ProcedureError:
    return ProcedureError(message, kind=FORBIDDEN)


def invalid(
    errors: Mapping[str, str], message: str = "", *, missing: Sequence[str] | None = None
) -> ProcedureError:
    text = message or "；".join(f"{k}：{v}" for k, v in errors.items())
    return ProcedureError(text, kind=INVALID, errors=errors, missing=missing)


def require_role(user: Any, roles: Iterable[str], doing: str) -> set[str]:
    """The user's roles, or a refusal naming the roles that may do ``doing``."""
    held = access.roles_of(user)
    allowed = set(roles)
    if not held & allowed:
        names = "、".join(access.role_labels(allowed))
        raise forbidden(f"{doing}须由{names}办理，您当前没有这些角色")
    return held


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


def notify_after_commit(
    users: Iterable[Any],
    title: str,
    body: str,
    link: str,
    level: str = "general",
    *,
    case_id: int | None = None,
) -> None:
    """Send an in-app (and channel) message once the surrounding transaction commits. The case it is
    about is ``case_id``, or the case ``link`` points into: recipients below the case's 密级 get it
    without the case's title and content (yuqing.notify.confidential)."""
    recipients = [u for u in {getattr(u, "pk", None): u for u in users if u is not None}.values()]
    if not recipients:
        return

    def send() -> None:
        from yuqing.notify.channels.base import Message
        from yuqing.notify.services import notify

        notify(recipients, Message(title=title[:300], body=body, link=link, level=level, case_id=case_id))

    transaction.on_commit(send)


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


def signature_create(
    *, case: Any, obj: Any, signer: Any, role: str, purpose: str, content: Any, at: datetime
) -> Any:
    """Record 签发/审批 of ``obj`` by ``signer``: the content as signed and its SHA-256
    (:func:`content_hash`). Call inside the signing transaction; the caller freezes ``obj`` and writes
    the audit entry."""
    from yuqing.cases.models import Signature

    return Signature.objects.create(
        case=case,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        signer=signer,
        signer_label=user_label(signer),
        role=role,
        purpose=purpose,
        signed_at=at,
        content=content,
        content_hash=content_hash(content),
    )
