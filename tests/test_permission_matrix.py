"""Every route × every persona: allowed or refused as its app declares.

The routes come from the URL resolver (pages, the ninja API, the admin as one route), the expectations
from ``ROUTES`` in each ``yuqing/<app>/tests/routes.py`` — how to declare a route is documented in
:mod:`yuqing.testing.routes`. A route nobody declared fails
``test_every_route_is_declared`` with the lines to add.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import site as admin_site
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import yuqing
from tests.admin_forms import change_page_data
from yuqing.api.urls import api
from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_changes, audit_snapshot
from yuqing.org import access
from yuqing.testing.factories import make_persona
from yuqing.testing.routes import LOGGED_IN, PUBLIC, STAFF, RouteSpec

ADMIN = "admin:*"


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    module: str  # the view's module, to say where the declaration belongs


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            if namespace.startswith("admin:") or path.startswith("admin/"):
                yield Route(ADMIN, "admin/", "django.contrib.admin")
            else:
                name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed /{path}>"
                yield Route(name, "/" + path, getattr(pattern.callback, "__module__", ""))


def api_operations() -> dict[str, tuple[str, str]]:
    """API url name → (HTTP method, module of the endpoint), from ninja's routers."""
    found: dict[str, tuple[str, str]] = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", None) or operation.view_func.__name__
                found[f"api:{name}"] = (operation.methods[0].lower(), operation.view_func.__module__)
    return found


def declarations() -> tuple[dict[str, RouteSpec], list[str]]:
    """All ROUTES of each yuqing.<app>.tests.routes; and duplicate names."""
    declared: dict[str, RouteSpec] = {}
    duplicates = []
    for info in pkgutil.iter_modules(yuqing.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"yuqing.{info.name}.tests.routes")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"yuqing.{info.name}.tests", f"yuqing.{info.name}.tests.routes"):
                raise
            continue
        for name, spec in module.ROUTES.items():
            if name in declared:
                duplicates.append(f"{name} (again in yuqing/{info.name}/tests/routes.py)")
            declared[name] = spec
    return declared, duplicates


ROUTES = {r.name: r for r in walk(get_resolver().url_patterns)}
OPERATIONS = api_operations()
DECLARED, DUPLICATES = declarations()
CHECKED = sorted(name for name in ROUTES if name in DECLARED)


def where_to_declare(route: Route) -> str:
    module = OPERATIONS.get(route.name, ("", route.module))[1]
    parts = module.split(".")
    app = parts[1] if len(parts) > 1 and parts[0] == "yuqing" else "<app>"
    return f"yuqing/{app}/tests/routes.py"


def hint(route: Route) -> str:
    method = OPERATIONS.get(route.name, ("get", ""))[0]
    spec = '{"allow": access.<ROLE SET> or LOGGED_IN/PUBLIC/STAFF'
    params = re.findall(r"<(?:\w+:)?(\w+)>", route.path)
    if params:
        spec += ', "kwargs": {' + ", ".join(f'"{p}": <value or function creating it>' for p in params) + "}"
    if method != "get":
        spec += f', "method": "{method}"'
    where = where_to_declare(route)
    return f'  {route.path} ({method.upper()}): add to ROUTES in {where}:  "{route.name}": {spec}}},'


def test_every_route_is_declared():
    missing = [route for name, route in sorted(ROUTES.items()) if name not in DECLARED]
    assert not missing, (
        f"{len(missing)} route(s) without a permission declaration (see yuqing/testing/routes.py):\n"
        + "\n".join(hint(route) for route in missing)
    )


def test_every_declaration_names_a_route_once():
    mounted = {name.split(":")[0] for name in ROUTES if ":" in name}
    stale = [n for n in DECLARED if n not in ROUTES and (":" not in n or n.split(":")[0] in mounted)]
    assert not stale, f"declared but no such route (renamed or removed?): {sorted(stale)}"
    assert not DUPLICATES, f"declared twice: {DUPLICATES}"


def test_the_feed_is_for_the_office_and_the_working_group_as_design_md_says():
    # Pins the policy itself: the matrix below only checks that views follow the declared sets.
    office = {access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY, access.OFFICE_MEMBER}
    assert office | {access.GROUP_LEADER, access.GROUP_DEPUTY, access.GROUP_MEMBER} == access.FEED_READERS
    assert office == access.LABEL_CORRECTORS
    assert office | {access.SYSTEM_ADMIN} == access.SOURCE_READERS
    assert office | {access.SYSTEM_ADMIN, access.GROUP_LEADER, access.GROUP_DEPUTY} == access.PLAN_READERS
    assert {access.SYSTEM_ADMIN, access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY} == access.PLAN_EDITORS
    assert access.INGEST_ROLES == access.ANALYSTS == office | {access.SYSTEM_ADMIN}
    not_feed = {access.DEPARTMENT_HEAD, access.DEPARTMENT_HANDLER, access.COMMENTATOR, access.PUBLICIST}
    assert not (not_feed | {access.AUDITOR}) & access.FEED_READERS


@pytest.fixture
def personas(db, clerk, outsider, leader, department_head, commentator, auditor, admin_user):
    """Name → user (None: anonymous). Every role of design.md's "Who uses it" is held by someone."""
    return {
        "anonymous": None,
        "outsider": outsider,
        "office_member": clerk,
        "office_director": make_persona("m_director", "主任", access.OFFICE_DIRECTOR, department="办公室"),
        "group_leader": leader,
        "group_member": make_persona("m_member", "成员", access.GROUP_MEMBER, department="法制科"),
        "department_head": department_head,
        "department_handler": make_persona(
            "m_handler", "责任人", access.DEPARTMENT_HANDLER, department="征管科"
        ),
        "commentator": commentator,
        "auditor": auditor,
        "system_admin_role": make_persona("m_sysadmin", "管理员", access.SYSTEM_ADMIN),
        "superuser": admin_user,
    }


def expected_allowed(spec: RouteSpec, user: Any) -> bool:
    allow = spec["allow"]
    if allow == PUBLIC:
        return True
    if user is None:
        return False
    if allow == LOGGED_IN:
        return True
    if allow == STAFF:
        return bool(user.is_staff)
    assert isinstance(allow, frozenset | set), f"allow must be a role set or a marker, not {allow!r}"
    return bool(access.roles_of(user) & allow)


def kind_of(route: Route) -> str:
    if route.name == ADMIN:
        return "admin"
    if route.name in OPERATIONS or route.path.endswith(".json"):
        return "api"
    return "page"


def request(route: Route, spec: RouteSpec, user: Any, kwargs: dict[str, Any]) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    url = reverse("admin:index") if route.name == ADMIN else reverse(route.name, kwargs=kwargs)
    method = spec.get("method") or OPERATIONS.get(route.name, ("get", ""))[0]
    data = spec.get("data")
    if kind_of(route) == "api" and method != "get":
        body = json.dumps(data if data is not None else {})
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, data or {})


def verdict(route: Route, spec: RouteSpec, user: Any, response: Any) -> str:
    """'' when the response is what the declaration says, else what went wrong."""
    status = response.status_code
    location = response.get("Location", "") if status == 302 else ""
    login = reverse("admin:login") if kind_of(route) == "admin" else resolve_url(settings.LOGIN_URL)
    to_login = location.startswith(login)
    if expected_allowed(spec, user):
        if "expect" in spec:
            return "" if status == spec["expect"] else f"expected {spec['expect']}, got {status}"
        if status in {401, 403, 404, 405} or to_login:
            return f"should be allowed, got {status} {location}".strip()
        return ""
    if kind_of(route) == "admin" or (user is None and kind_of(route) == "page"):
        return "" if to_login else f"should go to {login}, got {status} {location}".strip()
    want = 401 if user is None else 403
    return "" if status == want else f"should be refused with {want}, got {status} {location}".strip()


@pytest.mark.parametrize("name", CHECKED)
def test_route_answers_each_persona_as_declared(name, personas):
    route, spec = ROUTES[name], DECLARED[name]
    kwargs = {k: v() if callable(v) else v for k, v in spec.get("kwargs", {}).items()}
    declared_method = spec.get("method")
    if name in OPERATIONS and declared_method:
        assert declared_method == OPERATIONS[name][0], f"{name} is a {OPERATIONS[name][0].upper()} route"
    wrong = {}
    for persona, user in personas.items():
        problem = verdict(route, spec, user, request(route, spec, user, kwargs))
        if problem:
            wrong[persona] = problem
    assert not wrong, f"{name} ({route.path}):\n" + "\n".join(f"  {p}: {w}" for p, w in wrong.items())


def test_the_matrix_notices_a_page_that_forgets_its_role_check(personas):
    # The same verdict on a route declared stricter than it is: the refusals it expects do not happen.
    route, spec = ROUTES["notify:notifications"], RouteSpec(allow=access.AUDIT_READERS)
    response = request(route, spec, personas["outsider"], {})
    assert response.status_code == 200
    assert verdict(route, spec, personas["outsider"], response).startswith("should be refused with 403")


# ---- the admin's change views ------------------------------------------------------------------------
# Every registered ModelAdmin, GET and POST of one row's change page, as every persona: only the system
# administrator (the superuser) reaches them, and a POST either changes nothing or leaves an audit entry.

ADMINS = {model._meta.label_lower: model_admin for model, model_admin in admin_site._registry.items()}


def admin_rows() -> None:
    """One row of every model the admin shows (the personas already made users, people, departments,
    role assignments and audit entries; the migrations made the alert rules)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from yuqing.cases.models import ProcedureSettings
    from yuqing.events import services as event_services
    from yuqing.events.models import Alert, EscalationContact, Event, SeveritySettings
    from yuqing.items.ingest import ingest_entries
    from yuqing.items.models import Item
    from yuqing.notify import services as notify_services
    from yuqing.notify.channels.base import Message
    from yuqing.notify.models import ChannelConfig, DutyShift, NotificationPreference
    from yuqing.org.models import ExternalAgency, Person
    from yuqing.org.services import api_token_create, training_record_add
    from yuqing.policies.tests.factories import DEDUCTION, make_policy
    from yuqing.sources.fetchers.base import RawEntry
    from yuqing.sources.models import Source, SourceKind

    now = timezone.now()
    person = Person.objects.exclude(user=None).order_by("pk").first()
    assert person is not None
    user = person.user
    Group.objects.create(name="值班组")
    api_token_create(user=user, name="脚本")
    training_record_add(person=person, course="舆情应对培训", date=now.date(), hours=4)
    ExternalAgency.objects.create(name="市委网信办", contact_person="王", phone="12345")
    source = Source.objects.create(name="测试论坛", kind=SourceKind.RSS, url="http://bbs.example.cn/rss")
    ingest_entries(
        [RawEntry(url="http://bbs.example.cn/t/1", title="个税汇算", content="正文", published_at=None)],
        source=source,
    )
    item = Item.objects.get()
    event_services.label_correct(item=item, field="sentiment", value="negative", user=user)
    event_services.monitoring_plan_save(actor=None, plan=None, data={"name": "个税", "subject_words": "个税"})
    event = Event.objects.create(key="e1", title="办税厅排队", size=3, severity="significant", score=50.0)
    SeveritySettings.current()
    EscalationContact.objects.create(position=0, user=user, note="值班")
    Alert.objects.create(event=event, level="significant", reason="规则", chain=[user.pk])
    ChannelConfig.objects.create(
        kind="webhook",
        name="指挥平台",
        settings={"url": "http://127.0.0.1:9/hook", "secret": "whsec-0123456789abcdef"},
    )
    NotificationPreference.objects.create(user=user)
    DutyShift.objects.create(person=person, start=now, end=now + timedelta(hours=8), note="夜班")
    notify_services.notify([user], Message("较大舆情", "内容"))
    ProcedureSettings.current()
    make_policy(DEDUCTION)
    AccessAttempt.objects.create(
        username="x", ip_address="10.0.0.1", failures_since_start=1, attempt_time=now
    )
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", attempt_time=now)
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", attempt_time=now)


def writable(model_admin: Any, superuser: Any) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return bool(model_admin.has_change_permission(request, None))


def mutate(data: dict[str, Any], form: Any) -> None:
    """Change the first plain text field of the form, so that a POST is a real change."""
    for name, field in form.fields.items():
        if type(field) is forms.CharField and name in data and isinstance(data[name], str):
            data[name] = (data[name] + "改")[-(field.max_length or 1000) :]
            return


def test_every_admin_is_read_only_or_audited(admin_user):
    """A plain ModelAdmin saves and deletes with no audit entry: each admin must refuse the write it does
    not audit (AuditedAdmin, or a service called from save_model/delete_model)."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    plain = admin.ModelAdmin
    wrong = []
    for label, model_admin in sorted(ADMINS.items()):
        kind = type(model_admin)
        name = f"{label} ({kind.__module__}.{kind.__name__})"
        saves = model_admin.has_add_permission(request) or model_admin.has_change_permission(request, None)
        if saves and kind.save_model is plain.save_model:
            wrong.append(f"{name}: saves, and save_model is not audited")
        if model_admin.has_delete_permission(request, None) and (
            kind.delete_model is plain.delete_model or kind.delete_queryset is plain.delete_queryset
        ):
            wrong.append(f"{name}: deletes, and the deletion is not audited")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("label", sorted(ADMINS))
def test_admin_change_view_answers_each_persona_and_never_writes_unaudited(label, personas):
    admin_rows()
    model = ADMINS[label].model
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"admin_rows() makes no {label}: add one"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    login = reverse("admin:login")
    superuser = personas["superuser"]
    wrong = {}
    for persona, user in personas.items():
        if user is superuser:
            continue
        client = Client()
        if user is not None:
            client.force_login(user)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            if not (response.status_code == 302 and response["Location"].startswith(login)):
                wrong[f"{persona} {method.upper()}"] = f"should go to {login}, got {response.status_code}"
    client = Client()
    client.force_login(superuser)
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    data = change_page_data(client, url)
    mutate(data, page.context["adminform"].form)
    before, entries = audit_snapshot(obj), AuditEntry.objects.count()
    response = client.post(url, data)
    current = model._default_manager.filter(pk=obj.pk).first()
    after = audit_snapshot(current) if current is not None else None
    if writable(ADMINS[label], superuser):
        if response.status_code != 302:
            errors = response.context["adminform"].form.errors if response.context else response.status_code
            wrong["superuser POST"] = f"an unchanged page with one text field changed was refused: {errors}"
    elif response.status_code != 403:
        wrong["superuser POST"] = f"read-only, should be refused with 403, got {response.status_code}"
    if after != before and AuditEntry.objects.count() == entries:
        wrong["superuser POST"] = f"changed {audit_changes(before, after)} with no audit entry"
    assert not wrong, f"{label} ({url}):\n" + "\n".join(f"  {p}: {w}" for p, w in wrong.items())
