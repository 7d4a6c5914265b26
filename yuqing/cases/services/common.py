"""What every procedure service shares: the error type (a ServiceError), role checks, notifications,
signatures (the domain-free helpers — input cleaning, clock, labels, content hashing — are in
:mod:`yuqing.core.common`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from yuqing.cases.models import Signature
from yuqing.core.common import (  # noqa: F401 (the procedure services import them from here)
    clean_text,
    content_hash,
    fetch_row,
    now_or,
    parse_time,
    user_label,
)
from yuqing.core.errors import FORBIDDEN, INVALID, Kind, ServiceError, errors_text
from yuqing.notify.channels.base import Message
from yuqing.notify.services import notifications_close_after_commit, notify
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
    text = message or errors_text(errors)
    return ProcedureError(text, kind=INVALID, errors=errors, missing=missing)


def require_role(user: Any, roles: Iterable[str], doing: str) -> set[str]:
    """The user's roles, or a refusal naming the roles that may do ``doing``."""
    held = access.roles_of(user)
    allowed = set(roles)
    if not held & allowed:
        names = "、".join(access.role_labels(allowed))
        raise forbidden(f"{doing}须由{names}办理，您当前没有这些角色")
    return held


def notify_after_commit(
    users: Iterable[Any],
    title: str,
    body: str,
    link: str,
    level: str = "general",
    *,
    case_id: int | None = None,
    subject: str = "",
) -> None:
    """Send an in-app (and channel) message once the surrounding transaction commits. The case it is
    about is ``case_id``, or the case ``link`` points into: recipients below the case's 密级 get it
    without the case's title and content (yuqing.notify.confidential). A message that asks for a task
    names it in ``subject`` (:func:`task_subject`); :func:`task_done` closes it."""
    recipients = [u for u in {getattr(u, "pk", None): u for u in users if u is not None}.values()]
    if not recipients:
        return

    def send() -> None:
        notify(
            recipients,
            Message(title=title[:300], body=body, link=link, level=level, case_id=case_id, subject=subject),
        )

    transaction.on_commit(send)


def task_subject(obj: Any, step: str = "") -> str:
    """The key of the task ``step`` on ``obj`` a notification asks for: ``cases.situationreport:12:sign``."""
    key = f"{obj._meta.label_lower}:{obj.pk}"
    return f"{key}:{step}" if step else key


def task_done(obj: Any, *steps: str) -> None:
    """The tasks ``steps`` on ``obj`` are done or no longer possible: their notifications close (after
    commit, after the notification itself was written) and leave the counts."""
    notifications_close_after_commit(subjects=[task_subject(obj, step) for step in steps or ("",)])


def signature_create(
    *, case: Any, obj: Any, signer: Any, role: str, purpose: str, content: Any, at: datetime
) -> Any:
    """Record 签发/审批 of ``obj`` by ``signer``: the content as signed and its SHA-256
    (:func:`content_hash`). Call inside the signing transaction; the caller freezes ``obj`` and writes
    the audit entry."""
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
