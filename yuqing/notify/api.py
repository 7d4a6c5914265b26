"""通知渠道 API: the delivery log, one's own preferences, who is on duty."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yuqing import vocab
from yuqing.core.schemas import Detail
from yuqing.notify import selectors, services
from yuqing.notify.duty import duty_shifts_at
from yuqing.notify.models import Delivery, DeliveryStatus, DutyShift
from yuqing.org import access
from yuqing.org.api_auth import require_roles

router = Router(tags=["通知渠道"])
PAGE_SIZE = 50
LOG_READERS = (access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY, access.SYSTEM_ADMIN)
DUTY_READERS = tuple(access.DUTY_READERS)


class DeliveryOut(Schema):
    id: int
    kind: str
    kind_label: str
    channel: str | None
    recipient: str | None
    title: str
    level: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    alert_id: int | None

    @staticmethod
    def resolve_channel(obj: Delivery) -> str | None:
        return obj.channel.name if obj.channel else None

    @staticmethod
    def resolve_recipient(obj: Delivery) -> str | None:
        if obj.recipient is None:
            return None
        person = getattr(obj.recipient, "person", None)
        return person.name if person else obj.recipient.get_username()

    @staticmethod
    def resolve_status_label(obj: Delivery) -> str:
        return obj.get_status_display()


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    count: int
    page: int


class DeliveryFilters(Schema):
    status: str = ""
    kind: str = ""
    page: int = 1


@router.get(
    "/deliveries",
    response={200: DeliveryPage, 403: Detail, 422: Detail},
    summary="投递记录（应急办主任、副主任、系统管理员）",
)
def list_deliveries(request: HttpRequest, filters: Query[DeliveryFilters]) -> dict[str, Any]:
    if not access.has_role(request.user, *LOG_READERS):
        raise HttpError(403, "只有舆情应急办主任、副主任和系统管理员可以查看投递记录")
    if filters.status and filters.status not in DeliveryStatus.values:
        raise HttpError(422, f"status 必须是 {'/'.join(DeliveryStatus.values)} 之一")
    if filters.page < 1:
        raise HttpError(422, "page 必须是不小于 1 的整数")
    qs = selectors.deliveries(status=filters.status, kind=filters.kind)
    start = (filters.page - 1) * PAGE_SIZE
    items = selectors.deliveries_for(request.user, qs[start : start + PAGE_SIZE])
    return {"items": items, "count": qs.count(), "page": filters.page}


class PreferenceIO(Schema):
    by_email: bool = True
    by_sms: bool = True
    quiet_start: time | None = None
    quiet_end: time | None = None
    min_level: str = "general"


class PreferenceRefusal(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


def _preference_out(pref: Any) -> dict[str, Any]:
    return {field: getattr(pref, field) for field in services.PREFERENCE_FIELDS}


@router.get("/notify/preferences", response=PreferenceIO, summary="我的通知偏好")
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preference_out(selectors.preference_for(request.user))


@router.put(
    "/notify/preferences",
    response={200: PreferenceIO, 422: PreferenceRefusal},
    summary="修改我的通知偏好（重大、特别重大预警不受免打扰和最低等级限制）",
    # the refusal carries ``errors`` only when the model refused; every 200 body sets all five fields
    exclude_unset=True,
)
def put_preferences(request: HttpRequest, payload: PreferenceIO) -> Any:
    if payload.min_level not in vocab.SEVERITIES:
        return Status(422, {"detail": f"min_level 必须是 {'/'.join(vocab.SEVERITIES)} 之一"})
    try:
        pref = services.preference_update(user=request.user, actor=request.user, **payload.dict())
    except ValidationError as exc:
        return Status(422, {"detail": "通知偏好未保存", "errors": exc.message_dict})
    return Status(200, _preference_out(pref))


class ShiftOut(Schema):
    id: int
    user_id: int
    name: str
    phone: str
    start: datetime
    end: datetime
    note: str

    @staticmethod
    def resolve_user_id(obj: DutyShift) -> int:
        return obj.person.user_id

    @staticmethod
    def resolve_name(obj: DutyShift) -> str:
        return obj.person.name

    @staticmethod
    def resolve_phone(obj: DutyShift) -> str:
        return obj.person.phone


class DutyOut(Schema):
    at: datetime
    on_duty: list[ShiftOut]


@router.get("/duty", response={200: DutyOut, 403: Detail}, summary="当前值班人员（值班表）")
def current_duty(request: HttpRequest, at: datetime | None = None) -> dict[str, Any]:
    require_roles(request, DUTY_READERS)
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return {"at": moment, "on_duty": list(duty_shifts_at(moment))}
