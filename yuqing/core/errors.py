"""The one refusal type of the services (issue 11).

A service that refuses raises :class:`ServiceError` and says, where it refuses, what kind of refusal it
is: ``forbidden`` (the user lacks the role), ``conflict`` (the object's state does not allow it),
``invalid`` (the input is wrong; ``errors`` maps field names to Chinese messages) or ``not_found``.
The API maps it to a status in one place (``yuqing.api.urls``), the pages in one place
(:class:`yuqing.core.middleware.ServiceErrorMiddleware` for refusals a view does not catch itself, and
:attr:`ServiceError.status` for those it renders).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Literal

Kind = Literal["forbidden", "conflict", "invalid", "not_found"]

FORBIDDEN: Kind = "forbidden"
CONFLICT: Kind = "conflict"
INVALID: Kind = "invalid"
NOT_FOUND: Kind = "not_found"

HTTP_STATUS: dict[str, int] = {FORBIDDEN: 403, CONFLICT: 409, INVALID: 422, NOT_FOUND: 404}


class ServiceError(Exception):
    """A refused service call: ``message`` says why (Chinese), ``kind`` what kind of refusal, ``field``
    the input field it concerns (if one), ``errors`` every field's message, ``missing`` the elements a
    document lacks (a report's 要素)."""

    default_kind: Kind = CONFLICT

    def __init__(
        self,
        message: str = "",
        *,
        kind: Kind | None = None,
        field: str | None = None,
        errors: Mapping[str, str] | None = None,
        missing: Sequence[str] | None = None,
    ) -> None:
        errors = dict(errors or {})
        if field and field not in errors and message:
            errors[field] = message
        if not message:
            message = errors_text(errors)
        super().__init__(message)
        self.message = message
        self.kind: Kind = kind or self.default_kind
        if self.kind not in HTTP_STATUS:
            raise ValueError(f"unknown refusal kind {self.kind!r}")
        self.field = field
        self.errors = errors
        self.missing = list(missing or [])

    @property
    def status(self) -> int:
        """The HTTP status of this refusal: 403, 409, 422 or 404."""
        return HTTP_STATUS[self.kind]

    @property
    def code(self) -> str:
        """The former name of :attr:`kind` (ProcedureError.code)."""
        return self.kind


# Form field names whose label is not one model field's verbose_name (a name several models use with
# different labels, or a field of no model). Every other name is labelled by the model field it is.
FIELD_LABELS: dict[str, str] = {
    "kind": "类型",
    "level": "层级",
    "mode": "方式",
    "file": "文件",
    "measures": "措施",
    "reason": "理由",
    "checklist": "审查清单",
    "talking_point_ids": "口径",
    "url": "链接",
    "due_at": "完成时限",
    "department_id": "科室",
    "signer_id": "签发人",
    "assignee_id": "承办人",
}


@cache
def _model_field_labels() -> dict[str, str]:
    """Field name (and ``<fk>_id``) → verbose_name, over every installed model; a name two models label
    differently is left out (it is in :data:`FIELD_LABELS`, or goes unlabelled)."""
    from django.apps import apps

    labels: dict[str, str] = {}
    clashes: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            verbose = getattr(f, "verbose_name", None)
            if not verbose or not getattr(f, "concrete", False):
                continue
            label = str(verbose)
            if not any("\u4e00" <= ch <= "\u9fff" for ch in label):
                continue
            for name in {f.name, getattr(f, "attname", f.name)}:
                if labels.get(name, label) != label:
                    clashes.add(name)
                labels.setdefault(name, label)
    return {name: label for name, label in labels.items() if name not in clashes}


def field_label(name: str) -> str:
    """The Chinese label people see for the form field ``name`` ("" if none is known)."""
    return FIELD_LABELS.get(name) or _model_field_labels().get(name, "")


def errors_text(errors: Mapping[str, str]) -> str:
    """The refusal in one line: each field's message, led by its Chinese label unless the message
    names it already. Never an English field name."""
    parts = []
    for name, message in errors.items():
        label = field_label(name)
        parts.append(f"{label}：{message}" if label and label not in message else message)
    return "；".join(parts)


def forbidden(message: str) -> ServiceError:
    return ServiceError(message, kind=FORBIDDEN)


def conflict(message: str) -> ServiceError:
    return ServiceError(message, kind=CONFLICT)


def invalid(
    errors: Mapping[str, str], message: str = "", *, missing: Sequence[str] | None = None
) -> ServiceError:
    text = message or errors_text(errors)
    return ServiceError(text, kind=INVALID, errors=errors, missing=missing)


def not_found(message: str) -> ServiceError:
    return ServiceError(message, kind=NOT_FOUND)
