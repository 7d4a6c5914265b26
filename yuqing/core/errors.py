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
            message = "；".join(errors.values())
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


def forbidden(message: str) -> ServiceError:
    return ServiceError(message, kind=FORBIDDEN)


def conflict(message: str) -> ServiceError:
    return ServiceError(message, kind=CONFLICT)


def invalid(
    errors: Mapping[str, str], message: str = "", *, missing: Sequence[str] | None = None
) -> ServiceError:
    text = message or "；".join(f"{k}：{v}" for k, v in errors.items())
    return ServiceError(text, kind=INVALID, errors=errors, missing=missing)


def not_found(message: str) -> ServiceError:
    return ServiceError(message, kind=NOT_FOUND)
