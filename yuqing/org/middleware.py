"""Sessions of accounts locked for logins are suspended until the lock lifts."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from yuqing.audit.context import client_ip
from yuqing.org.backends import suspended_response
from yuqing.org.selectors import login_user_lock


class LoginLockMiddleware:
    """Suspends the session of an account that is locked for logins from the request's address (or
    everywhere): each request on it gets :func:`~yuqing.org.backends.suspended_response` until the lock
    lifts, then the session simply goes on. Logging out stays possible. One query per request with a
    logged-in session (API tokens are checked in ``yuqing.org.api_auth``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.logout_path = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.logout_path = self.logout_path or reverse("logout")
            if request.path != self.logout_path:
                lock = login_user_lock(username=user.get_username(), ip_address=client_ip(request))
                if lock is not None:
                    return suspended_response(request, lock)
        return self.get_response(request)
