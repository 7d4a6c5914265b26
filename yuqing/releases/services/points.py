"""统一口径: versioned talking points per topic, set by the office's heads and the group's leaders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from yuqing.audit.services import audit_record
from yuqing.cases.models import Case
from yuqing.cases.services.common import invalid, require_role
from yuqing.core.common import clean_text, now_or, parse_time
from yuqing.releases.coverage import key_terms as extract_terms
from yuqing.releases.models import TalkingPoint
from yuqing.releases.services.common import POINT_EDITORS


def _terms(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    out: dict[str, None] = {}
    for term in value or []:
        term = str(term).strip()[:50]
        if term:
            out.setdefault(term, None)
    return list(out)[:50]


def talking_point_create(
    *,
    user: Any,
    topic: str,
    text: str,
    key_terms: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    case: Case | None = None,
    now: datetime | None = None,
) -> TalkingPoint:
    """A new version of the points on ``topic`` (version 1 for a new topic). From its ``valid_from`` it
    replaces the previous version, whose validity is closed there; older versions stay on file."""
    require_role(user, POINT_EDITORS, "审定统一口径")
    at = now_or(now)
    errors: dict[str, str] = {}
    topic = clean_text(topic, field="topic", label="主题", max_length=100, required=True, errors=errors)
    text = clean_text(text, field="text", label="口径内容", max_length=5000, required=True, errors=errors)
    start = parse_time(valid_from, field="valid_from", label="生效时间", errors=errors) or at
    end = parse_time(valid_until, field="valid_until", label="失效时间", errors=errors)
    if end is not None and end <= start:
        errors["valid_until"] = "失效时间须晚于生效时间"
    terms = _terms(key_terms)
    if text and not terms and not extract_terms(text):
        errors["key_terms"] = "口径内容中没有可核对的词，请填写关键词"
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        last = TalkingPoint.objects.select_for_update().filter(topic=topic).aggregate(v=Max("version"))["v"]
        point = TalkingPoint.objects.create(
            topic=topic,
            version=(last or 0) + 1,
            text=text,
            key_terms=terms,
            valid_from=start,
            valid_until=end,
            case=case,
            created_by=user,
            created_at=at,
        )
        closed = list(
            TalkingPoint.objects.filter(topic=topic, version__lt=point.version, valid_from__lt=start)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=start))
            .values_list("pk", flat=True)
        )
        TalkingPoint.objects.filter(pk__in=closed).update(valid_until=start)
        audit_record(
            actor=user,
            action="talking_point.create",
            obj=point,
            new={
                "topic": topic,
                "version": point.version,
                "text": text,
                "key_terms": terms,
                "valid_from": start,
                "valid_until": end,
                "case_id": case.pk if case else None,
                "superseded": closed,
            },
        )
    return point
