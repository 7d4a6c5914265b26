"""API authentication: ``Authorization: Bearer <token>`` (per-user tokens) or a logged-in session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from yuqing.org.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked=False, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(id=row.id).update(last_used_at=now)
        request.user = row.user
        return row.user
