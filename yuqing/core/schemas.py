"""API schemas shared by every app: the error body of a refused or invalid request."""

from __future__ import annotations

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class Detail(Schema):
    """A refusal that only says why: ``{"detail"}`` (HttpError bodies, request-body refusals)."""

    detail: str


class HealthOut(Schema):
    """``GET /api/v1/health``: the server answers."""

    status: str
