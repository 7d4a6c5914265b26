"""API authentication: ``Authorization: Bearer <token>`` (per-user tokens) or a logged-in session.

Role checks: an endpoint open to some roles only declares ``auth=roles_auth(access.FEED_READERS)``. The
check then runs with authentication, before the request's body or query is parsed, so someone without
the role gets 403 (naming the roles that would do) whatever they sent, and anonymous callers 401.
Inside an endpoint, :func:`require_roles` does the same check (e.g. for a stricter second step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from yuqing.audit.context import client_ip
from yuqing.org.access import cached_roles, role_labels
from yuqing.org.backends import lock_message
from yuqing.org.models import ApiToken, hash_token
from yuqing.org.selectors import login_user_lock


def require_roles(request: HttpRequest, roles: Iterable[str]) -> None:
    """Raise 403 unless the authenticated user now holds one of ``roles`` (superusers: system_admin)."""
    allowed = frozenset(roles)
    if not cached_roles(request.user) & allowed:
        raise HttpError(403, f"无权访问：需要以下角色之一：{'、'.join(role_labels(allowed))}")


class TokenAuth(HttpBearer):
    """A per-user API token; with ``roles``, the token's user must hold one of them. While the account
    is locked (see ``org.selectors.login_user_lock``) the token gets 403 saying why and for how long."""

    def __init__(self, roles: Iterable[str] = ()) -> None:
        super().__init__()
        self.roles = frozenset(roles)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked=False, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        # A token is suspended while its account is locked for the address it is used from, or everywhere.
        lock = login_user_lock(username=row.user.get_username(), ip_address=client_ip(request))
        if lock is not None:
            raise HttpError(403, lock_message(lock))
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(id=row.id).update(last_used_at=now)
        request.user = row.user
        if self.roles:
            require_roles(request, self.roles)
        return row.user


class SessionAuth(NinjaSessionAuth):
    """The browser's session (CSRF-checked on writes, as ninja's ``django_auth``); with ``roles``, the
    logged-in user must hold one of them."""

    def __init__(self, roles: Iterable[str] = ()) -> None:
        super().__init__()
        self.roles = frozenset(roles)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and self.roles:
            require_roles(request, self.roles)
        return user


def roles_auth(roles: Iterable[str]) -> list[Any]:
    """``auth=`` for an endpoint open to ``roles`` only: a token or a session, then the role check."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError("roles_auth() needs at least one role")
    return [TokenAuth(allowed), SessionAuth(allowed)]


def docs_access(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """``docs_decorator`` for the OpenAPI schema and the Swagger page: for a logged-in session or a valid
    token. Anonymous browsers are sent to the login page, anonymous callers of the schema get 401."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            bearer = token.strip() if scheme.lower() == "bearer" else ""
            try:
                authenticated = bool(bearer and TokenAuth().authenticate(request, bearer))
            except HttpError as refused:  # a suspended token
                return JsonResponse({"detail": refused.message}, status=refused.status_code)
            if not authenticated:
                if request.path.endswith(".json"):
                    return JsonResponse({"detail": "未登录：请先登录或提供 API 令牌"}, status=401)
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
