"""Audit entries as the 纪检组 reads them: people by name, Chinese labels and choice names, local times,
and a before → after of the changed fields instead of JSON.

The page and the CSV export share this. Rows are read in batches (:class:`Names`): one query for the
users (actors and user ids inside the details) and one per other model referred to, whatever the number
of entries. A row bound to a case is named by its kind and number only, never by its title: an entry that
is not itself about a case (an alert's settlement) must not show a case's title to a reader below its 密级.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime

from yuqing.audit.labels import CHINESE, _model, detail_label, nested_label
from yuqing.audit.models import AuditEntry
from yuqing.audit.redaction import case_path
from yuqing.org.clearance import level_name
from yuqing.vocab import SEVERITIES

USER = "auth.user"
EMPTY = "—"
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Detail keys that hold ids of rows without being a column of the entry's object, by action and in general.
ACTION_KEY_MODELS: dict[tuple[str, str], str] = {("alert.escalate", "to"): USER}
KEY_MODELS: dict[str, str] = {
    "recipients": USER,
    "chain": USER,
    "user_id": USER,
    "owner_id": USER,
    "person_id": "org.person",
    "department_id": "org.department",
    "agency_id": "org.externalagency",
    "case_id": "cases.case",
    "verification_id": "cases.verificationtask",
    "signature_id": "cases.signature",
    "review_id": "releases.secrecyreview",
    "talking_points": "releases.talkingpoint",
    "superseded": "releases.talkingpoint",
    "task_id": "releases.guidancetask",
    "delivery": "notify.delivery",
    "superseded_by": "cases.situationreport",
    "event_id": "events.event",
    "alert_id": "events.alert",
}
# Detail keys whose values are codes of a model's choices, when they are no such column of the object.
KEY_CHOICES: dict[str, tuple[str, str]] = {
    "case_state": ("cases.case", "state"),
    "state": ("cases.case", "state"),
}
# Mappings inside the details that describe a row of a model (a plan's measures): their keys are read as
# that model's columns.
NESTED_OBJECTS: dict[str, str] = {"measures": "cases.handlingaction"}
# Mappings whose keys are codes of a model's choices.
NESTED_KEY_CHOICES: dict[str, tuple[str, str]] = {
    "deliveries": ("notify.delivery", "status"),
    "deadlines_met": ("cases.deadline", "kind"),
}


def local_time(at: datetime, *, now: datetime | None = None) -> str:
    """``11月28日 16:01`` in the local time zone; with the year when it is not this year."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    at = timezone.localtime(at)
    this_year = timezone.localtime(now or timezone.now()).year
    return dateformat.format(at, "n月j日 H:i" if at.year == this_year else "Y年n月j日 H:i")


def local_date(day: date, *, now: datetime | None = None) -> str:
    this_year = timezone.localtime(now or timezone.now()).year
    return dateformat.format(day, "n月j日" if day.year == this_year else "Y年n月j日")


@lru_cache(maxsize=512)
def _choices(model_label: str, field: str) -> dict[str, str]:
    model = _model(model_label)
    if model is None:
        return {}
    try:
        found = model._meta.get_field(field)
    except Exception:
        return {}
    return {str(k): str(v) for k, v in getattr(found, "flatchoices", None) or ()}


@lru_cache(maxsize=1024)
def ref_model(action: str, object_type: str, key: str) -> str | None:
    """The model (``app.model``) whose ids detail ``key`` holds, or None when it holds no ids."""
    if (action, key) in ACTION_KEY_MODELS:
        return ACTION_KEY_MODELS[(action, key)]
    model = _model(object_type)
    if model is not None:
        for field in model._meta.concrete_fields:
            if field.is_relation and key in (field.name, field.attname) and field.related_model is not None:
                return str(field.related_model._meta.label_lower)
    found = KEY_MODELS.get(key)
    return found if found is not None and _model(found) is not None else None


def choice_names(object_type: str, key: str) -> dict[str, str]:
    names = _choices(object_type, key)
    if names:
        return names
    if key in ("severity", "level"):  # a notification's or alert's level is a severity
        return SEVERITIES
    model_label, field = KEY_CHOICES.get(key, ("", ""))
    return _choices(model_label, field) if model_label else {}


class Names:
    """Names of the rows the details and actors of some entries refer to, read in one batch."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.names: dict[str, dict[int, str]] = {}

    def want(self, model_label: str, value: Any) -> None:
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool):
                self.wanted[model_label].add(v)
            elif isinstance(v, str) and v.isdigit():
                self.wanted[model_label].add(int(v))

    def collect(self, entries: Iterable[AuditEntry]) -> Names:
        for entry in entries:
            if entry.actor_id is not None:
                self.wanted[USER].add(entry.actor_id)
            if getattr(entry, "restricted", ""):
                continue
            for side in (entry.old, entry.new):
                if isinstance(side, dict):
                    self._collect_dict(entry.action, entry.object_type, side)
        return self

    def _collect_dict(self, action: str, object_type: str, data: dict[str, Any]) -> None:
        for key, value in data.items():
            target = ref_model(action, object_type, key)
            if target is not None:
                self.want(target, value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):  # a plan's measures: their owners
                        self._collect_dict(action, NESTED_OBJECTS.get(key, ""), item)

    def load(self) -> Names:
        for model_label, ids in self.wanted.items():
            self.names[model_label] = _names(model_label, ids) if ids else {}
        return self

    def name(self, model_label: str, pk: int) -> str:
        found = self.names.get(model_label, {}).get(pk)
        if found is not None:
            return found
        model = _model(model_label)
        kind = str(model._meta.verbose_name) if model is not None else model_label
        return f"{kind} {pk}（已不存在）" if model_label in self.names else f"{kind} {pk}"

    def actor(self, entry: AuditEntry) -> str:
        """The person's name (the label written at the time, without the login, for the system or a
        user since removed)."""
        if entry.actor_id is not None and entry.actor_id in self.names.get(USER, {}):
            return self.names[USER][entry.actor_id]
        return re.sub(r"（[^（）]*）$", "", entry.actor_label) or entry.actor_label


def _names(model_label: str, ids: set[int]) -> dict[int, str]:
    model = _model(model_label)
    if model is None:
        return {}
    if model_label == USER:
        return user_names(ids)
    if model_label == "org.person":
        return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "name"))
    if model_label == "cases.case":
        return {
            pk: f"案件{pk}" for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        }
    if case_path(model_label) is not None:  # bound to a case: by kind and number, never by title
        kind = str(model._meta.verbose_name)
        return {
            pk: f"{kind} {pk}"
            for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        }
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids).select_related()}


def user_names(ids: Iterable[int]) -> dict[int, str]:
    """Each user's name: the person's, else the account's full name, else (an account with neither,
    such as the first administrator) its login. One query."""
    rows = (
        get_user_model()
        .objects.filter(pk__in=sorted(set(ids)))
        .values_list("pk", "person__name", "first_name", "last_name", "username")
    )
    result = {}
    for pk, person, first, last, username in rows:
        full = f"{last}{first}".strip()
        result[pk] = person or full or username
    return result


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    changed: bool  # both sides known (an update), not a value set at creation


def show(action: str, object_type: str, key: str, value: Any, names: Names) -> str:
    """One detail value as a person reads it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "confidentiality" and isinstance(value, int):
        return level_name(value)
    target = ref_model(action, object_type, key)
    if target is not None:
        values = value if isinstance(value, list) else [value]
        shown = [names.name(target, int(v)) if str(v).isdigit() else str(v) for v in values]
        return " → ".join(shown) if key == "chain" else "、".join(shown)
    if isinstance(value, dict):
        return _show_mapping(action, key, value, names)
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return "；".join(
                f"{i}. {_show_mapping(action, key, v, names, sep='，')}" if isinstance(v, dict) else str(v)
                for i, v in enumerate(value, 1)
            )
        return "、".join(show(action, "", key, v, names) for v in value)
    if isinstance(value, str):
        names_of = choice_names(object_type, key)
        if value in names_of:
            return names_of[value]
        return _show_time(value)
    return str(value)


def _show_mapping(action: str, outer: str, data: dict[str, Any], names: Names, *, sep: str = "；") -> str:
    key_names = _choices(*NESTED_KEY_CHOICES[outer]) if outer in NESTED_KEY_CHOICES else {}
    object_type = NESTED_OBJECTS.get(outer, "")
    parts = []
    for key, value in data.items():
        if key.endswith("_id") and key[:-3] in data:  # the id beside the name written with it
            continue
        label = key_names.get(key) or nested_label(outer, key)
        parts.append(f"{label}：{show(action, object_type, key, value, names)}")
    return sep.join(parts)


def _show_time(text: str) -> str:
    if ISO_DATETIME.match(text):
        at = parse_datetime(text.replace("Z", "+00:00"))
        if at is not None:
            return local_time(at)
    if ISO_DATE.match(text):
        day = parse_date(text)
        if day is not None:
            return local_date(day)
    return text


def changes(entry: AuditEntry, names: Names) -> list[Change]:
    """The fields the entry records: old → new where both are known; the values set, for a creation
    (empty ones left out: a new row's unset columns say nothing)."""
    old = entry.old if isinstance(entry.old, dict) else ({} if entry.old is None else {"value": entry.old})
    new = entry.new if isinstance(entry.new, dict) else ({} if entry.new is None else {"value": entry.new})
    rows = []
    for key in [*old, *(k for k in new if k not in old)]:
        in_old, in_new = key in old, key in new
        if not in_old and new.get(key) in (None, "", [], {}):
            continue
        label = "值" if key == "value" else detail_label(entry.action, entry.object_type, key)
        before = show(entry.action, entry.object_type, key, old.get(key), names) if in_old else ""
        after = show(entry.action, entry.object_type, key, new.get(key), names) if in_new else ""
        rows.append(Change(label=label, before=before, after=after, changed=in_old and in_new))
    return rows


def changes_text(rows: list[Change]) -> str:
    """The changes on one line, for the CSV: ``状态：草稿 → 已提交；意见：同意``."""
    parts = []
    for row in rows:
        if row.changed:
            parts.append(f"{row.label}：{row.before} → {row.after}")
        else:
            parts.append(f"{row.label}：{row.after or row.before}")
    return "；".join(parts)


def unlabelled_keys(entries: Iterable[AuditEntry]) -> set[tuple[str, str]]:
    """(action, key) of each detail key shown under its code for want of a Chinese name (a test asks
    this of the demo's trail)."""
    missing = set()
    for entry in entries:
        for side in (entry.old, entry.new):
            if not isinstance(side, dict):
                continue
            for key, value in side.items():
                if not CHINESE.search(detail_label(entry.action, entry.object_type, key)):
                    missing.add((entry.action, key))
                inner = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
                for item in inner:
                    if isinstance(item, dict) and key not in NESTED_KEY_CHOICES:
                        missing |= {
                            (entry.action, f"{key}.{k}")
                            for k in item
                            if not CHINESE.search(nested_label(key, k))
                        }
    return missing
