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
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import yuqing
from yuqing.api.urls import api
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
    route, spec = ROUTES["web:notifications"], RouteSpec(allow=access.AUDIT_READERS)
    response = request(route, spec, personas["outsider"], {})
    assert response.status_code == 200
    assert verdict(route, spec, personas["outsider"], response).startswith("should be refused with 403")
