"""The REST API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger

from yuqing.cases.api import router as cases_router
from yuqing.consult.api import router as consult_router
from yuqing.core.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, database_busy
from yuqing.core.errors import ServiceError
from yuqing.core.schemas import HealthOut
from yuqing.events.api import router as events_router
from yuqing.items.api import router as items_router
from yuqing.notify.api import router as notify_router
from yuqing.org.api_auth import SessionAuth, TokenAuth, docs_access
from yuqing.policies.api import router as policies_router
from yuqing.releases.api import router as releases_router

api = NinjaAPI(
    title="涉税舆情监测与应急处置系统 API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    # Swagger UI from ninja's static files ("ninja" is in INSTALLED_APPS), never a CDN: the CSP allows
    # same-origin scripts only. The schema and the docs need a login or a token, like every other route.
    docs=Swagger(),
    docs_decorator=docs_access,
)


@api.exception_handler(ServiceError)
def service_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """Every refused service call, mapped here once: 403 (role), 409 (state), 422 (input) or 404, saying
    why (``errors`` by field, ``missing`` for a document's missing elements)."""
    body: dict[str, object] = {"detail": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    if exc.missing:
        body["missing"] = exc.missing
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(OperationalError)
def database_is_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A database still busy after the busy timeout (and the ingest's own retries): 503 with Retry-After,
    so the client sends the same request again later (pushes are idempotent). Other operational errors
    stay server errors."""
    if not database_busy(exc):
        raise exc
    response = api.create_response(request, {"detail": BUSY_MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.get("/health", auth=None, response=HealthOut, summary="健康检查")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


api.add_router("/", items_router)
api.add_router("/", events_router)
api.add_router("/", cases_router)
api.add_router("/", releases_router)
api.add_router("/", policies_router)
api.add_router("/", notify_router)
api.add_router("/", consult_router)
