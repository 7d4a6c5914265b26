"""Login lockout (django-axes): the authentication backend and the page shown to a locked-out user."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in ``AUTHENTICATION_BACKENDS``: refuses a locked-out username.

    Every login form (ours, the admin's) passes the request. A call without one — Django's test
    ``Client.login()``, a script checking a password — has no client to count failures against, so it
    goes on to the next backend instead of failing with ``AxesBackendRequestParameterRequired``.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, saying in Chinese that the account is locked, for how long, and what to do."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "web/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_out": True,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "lockout_minutes": lockout_minutes(),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )
