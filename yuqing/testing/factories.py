"""Factories for the tests: people holding roles, departments, sources, events, alerts and cases.

Each makes its object through the services where one exists (a person is created and appointed as the
roster does it), so a test starts from the state the running system would be in.
"""

from __future__ import annotations

from typing import Any

from yuqing import vocab
from yuqing.cases.models import Case
from yuqing.cases.services import case_open
from yuqing.events.models import Alert, Event
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.services import person_create, role_assign
from yuqing.sources.models import Source, SourceKind

PASSWORD = "Tiemenguan-2026!"  # noqa: S105 — test persona


def department_named(name: str) -> Department:
    """The department called ``name``, created on first use."""
    return Department.objects.get_or_create(name=name)[0]


def make_persona(
    username: str,
    name: str,
    *roles: str,
    department: str | Department | None = None,
    password: str | None = None,
    on_duty: bool = False,
    email: str = "",
) -> Any:
    """A user with a staff profile holding ``roles`` from today (a department role in ``department``);
    returns the user. ``on_duty`` puts an 应急办成员 on duty. Without ``password`` the account can only be
    used with ``force_login``."""
    dept = department_named(department) if isinstance(department, str) else department
    person = person_create(username=username, name=name, department=dept, password=password)
    for role in roles:
        role_assign(person=person, role=role, on_duty=on_duty and role == access.OFFICE_MEMBER)
    if email:
        person.user.email = email
        person.user.save(update_fields=["email"])
    return person.user


def make_source(**fields: Any) -> Source:
    """An RSS source of a news site unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "name": "测试新闻网",
        "kind": SourceKind.RSS,
        "url": "https://news.example.cn/rss",
        "media_type": "news_site",
    }
    return Source.objects.create(**{**values, **fields})


def make_event(severity: str | None = None, **fields: Any) -> Event:
    """An event; ``severity`` sets its rank too. Fields not given keep the model's defaults."""
    if severity is not None:
        fields = {"severity": severity, "severity_rank": vocab.SEVERITY_ORDER.index(severity), **fields}
    return Event.objects.create(**fields)


def make_alert(event: Event | None = None, level: str = "significant", **fields: Any) -> Alert:
    """An alert on ``event`` (a new event of the alert's level when none is given)."""
    event = event or make_event(severity=level, key=f"alert-e{Event.objects.count() + 1}", title="测试事件")
    return Alert.objects.create(event=event, level=level, **{"reason": "测试", **fields})


def make_case(
    author: Any,
    title: str = "测试案件",
    severity: str = "significant",
    department_name: str = "征管科",
    **kw: Any,
) -> Case:
    """A case opened by ``author`` for ``department_name`` (the 事发科室)."""
    dept = department_named(department_name)
    return case_open(user=author, title=title, severity=severity, department_id=dept.pk, **kw)
