"""Login locks (django-axes): the authentication backend, axes' handler extended with our rules, and the
pages shown to a locked-out login and to a suspended session. The rules are in
:mod:`yuqing.org.selectors` (``login_lock`` and its helpers), the writes in :mod:`yuqing.org.services`."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from yuqing.org import selectors, services
from yuqing.org.selectors import LOCK_ACCOUNT, LOCK_ADDRESS, LoginLock


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in ``AUTHENTICATION_BACKENDS``: refuses a login that a lock forbids.

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


class LoginAttemptHandler(AxesDatabaseHandler):
    """django-axes' database handler (``AXES_HANDLER``) with the address and account locks added.

    axes counts failures per user name and address (``AXES_LOCKOUT_PARAMETERS``) with one limit; it
    cannot count distinct user names per address, nor apply a second limit to a user name across
    addresses. So a login is refused when :func:`~yuqing.org.selectors.login_lock` finds any lock, and
    after each counted failure :func:`~yuqing.org.services.login_locks_record` sees which locks it set.
    """

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        lock = selectors.login_lock(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            now=request.axes_attempt_time,
        )
        request.login_lock = lock
        return lock is not None

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        refused = request is None or getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if refused:
            return  # refused by a lock: axes counted nothing, nothing new can be locked
        lock = services.login_locks_record(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            now=request.axes_attempt_time,
        )
        if lock is not None:
            request.login_lock = lock
            request.axes_locked_out = True  # AxesMiddleware then shows lockout_response()
            request.axes_credentials = credentials


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lock_message(lock: LoginLock, *, session: bool = False) -> str:
    """What a lock means for the person who meets it, in Chinese: why, for how long, what to do."""
    minutes, until = lock.minutes_left(), f"{timezone.localtime(lock.until):%H:%M}"
    if lock.kind == LOCK_ACCOUNT:
        why = (
            f"该账号在 {lockout_minutes()} 分钟内从多个地址共登录失败 {lock.failures} 次，疑似遭受密码猜测，"
            f"已被暂时锁定：任何地址都不能登录，其 API 令牌与已登录会话也暂停使用。"
        )
        advice = "如需立即解除，请联系系统管理员；如非本人操作，解除后请修改密码。"
    elif lock.kind == LOCK_ADDRESS:
        why = (
            f"本地址在 {lockout_minutes()} 分钟内对 {lock.failures} 个不同账号登录失败，疑似密码喷洒，"
            f"已被暂时禁止登录任何账号（其他地址不受影响）。"
        )
        advice = "如属误判（如多人共用一个出口地址），请联系系统管理员解除。"
    else:
        why = (
            f"因连续 {settings.AXES_FAILURE_LIMIT} 次登录失败，该账号已被暂时锁定"
            f"（仅限本地址，其他地址不受影响；该账号在本地址的 API 令牌与会话也暂停使用）。"
        )
        advice = "如需立即解除，请联系系统管理员；如非本人操作，解除后请修改密码。"
    if session:
        return f"当前会话已暂停使用：{why}{minutes} 分钟后（{until}）自动恢复，无需重新登录。{advice}"
    return f"{why}请 {minutes} 分钟后（{until} 解除）再试。{advice}"


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, saying in Chinese that the login is locked, why, for how long, what to do."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    lock = getattr(request, "login_lock", None) or selectors.login_lock(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    )
    return render(
        request,
        "web/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_out": True,
            "lock_message": lock_message(lock) if lock is not None else settings.AXES_COOLOFF_MESSAGE,
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def suspended_response(request: HttpRequest, lock: LoginLock) -> HttpResponse:
    """403 for a request on the session of a locked account: JSON under the API, else a page that says
    why and for how long and still lets the person log out."""
    message = lock_message(lock, session=True)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(
        request,
        "web/login.html",
        {"suspended": True, "lock_message": message, "user": AnonymousUser()},
        status=403,
    )
