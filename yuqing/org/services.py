"""Writes on accounts."""

from __future__ import annotations

from django.contrib.auth.models import User

from yuqing.org.models import ApiToken, hash_token


def api_token_create(*, user: User, name: str = "") -> str:
    """Create a token for ``user`` and return it; only its hash is stored."""
    token = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name[:100], prefix=token[:10], token_hash=hash_token(token))
    return token
