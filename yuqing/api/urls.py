"""The REST API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from yuqing.api.auth import TokenAuth
from yuqing.cases.api import router as cases_router
from yuqing.events.api import router as events_router
from yuqing.items.api import router as items_router
from yuqing.notify.api import router as notify_router
from yuqing.policies.api import router as policies_router
from yuqing.releases.api import router as releases_router

api = NinjaAPI(
    title="涉税舆情监测与应急处置系统 API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
)


@api.get("/health", auth=None, summary="健康检查")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


api.add_router("/", items_router)
api.add_router("/", events_router)
api.add_router("/", cases_router)
api.add_router("/", releases_router)
api.add_router("/", policies_router)
api.add_router("/", notify_router)
