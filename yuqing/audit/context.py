"""The current request's id and client address, for audit entries written deep inside services.

:class:`AuditContextMiddleware` puts them in a context variable for the duration of one request, so a
service called from a view, an API endpoint or the admin need not pass the request down. Outside a
request (tasks, commands) they are empty.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("yuqing_audit_request", default=None)


def _normal_ip(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with ``YUQING_PROXY_COUNT`` = n reverse proxies in front,
    the address the outermost of them saw (n-th from the right in X-Forwarded-For), since everything
    left of that is whatever the client chose to send. Also used by django-axes for lockouts."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            ip = _normal_ip(hops[-proxies])
            if ip:
                return ip
    return _normal_ip(request.META.get("REMOTE_ADDR", ""))


def context_for(request: HttpRequest) -> RequestContext:
    return RequestContext(request_id=str(getattr(request, "request_id", ""))[:64], ip=client_ip(request))


def current_context() -> RequestContext:
    return _current.get() or RequestContext()


@contextmanager
def request_context(ctx: RequestContext) -> Iterator[None]:
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Must come after ``SecurityHeadersMiddleware``, which assigns ``request.request_id``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(context_for(request)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A write refused because the audit chain was tampered with (``AuditChainBroken``): 503 saying
        so — in JSON for the API — instead of a bare server error. The write itself was rolled back."""
        from yuqing.audit.services import AuditChainBroken

        if not isinstance(exception, AuditChainBroken):
            return None
        logger.error("write refused: %s", exception)
        text = f"操作未执行：{exception}"
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=503, json_dumps_params={"ensure_ascii": False})
        return render(request, "audit/chain_broken.html", {"message": text}, status=503)
