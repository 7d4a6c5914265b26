"""Security headers for every response (Django's SecurityMiddleware covers the rest); a busy database
answered with 503 and Retry-After; a service's refusal that a page view does not catch answered by its
kind (403/409/422/404). (Sessions of locked accounts are suspended by org.middleware.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from yuqing.core.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, database_busy
from yuqing.core.errors import ServiceError

# Everything is served from this origin: the intranet has no CDN, so nothing else is needed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


BUSY_PAGE = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>请稍后重试</title></head>'
    f"<body><h1>请稍后重试</h1><p>{escape(BUSY_MESSAGE)}。请约 {RETRY_AFTER_SECONDS} 秒后刷新页面；"
    "刚才提交的内容没有保存，可返回上一页再次提交。</p></body></html>"
)


class DatabaseBusyMiddleware:
    """A view that meets a database still busy after the busy timeout answers 503 with Retry-After (a
    page asking to try again shortly, or JSON under /api/), never a 500. See :mod:`yuqing.core.busy`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": BUSY_MESSAGE}, status=503)
        else:
            # Self-contained: rendering the site's layout would query the busy database again.
            response = HttpResponse(BUSY_PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


REFUSED_TITLES = {403: "无权办理", 404: "未找到", 409: "当前状态不能办理", 422: "填写有误"}


class ServiceErrorMiddleware:
    """The pages' one mapping of a :class:`~yuqing.core.errors.ServiceError` that a view lets through:
    a form posted from one of our pages goes back there with the reason as an error message; anything
    else gets a short page with the reason and the refusal's status (403 role, 409 state, 422 input,
    404 not found). The API maps refusals itself (``yuqing.api.urls``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ServiceError) or request.path.startswith("/api/"):
            return None
        back = ""
        if request.method == "POST":
            back = request.POST.get("next") or request.headers.get("Referer", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, exception.message)
            return HttpResponseRedirect(back)
        title = REFUSED_TITLES[exception.status]
        page = (
            f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{escape(exception.message)}</p></body></html>"
        )
        return HttpResponse(page, status=exception.status, content_type="text/html; charset=utf-8")
