"""Every audit action code the code can write has a Chinese name on the audit page (and its filter list).

The codes are read from the sources, so a new ``audit_record(action="…")``, a new move in a
``StateMachine`` or a new audited admin without a label makes this test fail."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.contrib import admin

import yuqing
from yuqing.audit.admin import AuditedAdmin
from yuqing.audit.labels import ACTION_LABELS, TYPED_ACTION_LABELS, action_label, object_type_label

ROOT = Path(yuqing.__file__).parent
CODE = re.compile(r"^[a-z_]+\.[a-z_.]+$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Action codes built by an f-string: the source text of each, and every code it can give. A new
# f-string code fails the test until it is listed here (and labelled).
DYNAMIC = {
    "f\"report.{('oral' if report.mode == 'oral' else 'draft')}\"": {"report.oral", "report.draft"},
    "f'release.review_{result}'": {"release.review_pass", "release.review_return"},
    # the state machines' own codes (collected from their declarations below)
    "f'{self.audit_prefix}.{action}'": set(),
    # audited admins (collected from the admin site below)
    "f'{name}.create'": set(),
    "f'{name}.update'": set(),
    "f'{self._audit_name(obj)}.update'": set(),
    "f'{self._audit_name(obj)}.delete'": set(),
}


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.relative_to(ROOT).parts and not p.name.startswith("test_")
    ]


def _constants(node: ast.AST) -> set[str]:
    """The string codes an ``action=`` value can take (a literal, or ``a if … else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_constants(v) for v in node.values))
    return set()


def _f_strings(node: ast.AST) -> list[ast.JoinedStr]:
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, (ast.IfExp, ast.BoolOp)):
        return [f for child in ast.iter_child_nodes(node) for f in _f_strings(child)]
    return []


def _machine_codes(call: ast.Call) -> set[str]:
    """``{audit_prefix}.{move}`` for each move of a ``StateMachine(Model, {moves}, audit_prefix=…)``."""
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    if name != "StateMachine" or len(call.args) < 2 or not isinstance(call.args[1], ast.Dict):
        return set()
    prefix = next((k.value for k in call.keywords if k.arg == "audit_prefix"), None)
    if not (isinstance(prefix, ast.Constant) and isinstance(prefix.value, str)):
        return set()
    keys = [k.value for k in call.args[1].keys if isinstance(k, ast.Constant)]
    return {f"{prefix.value}.{key}" for key in keys if isinstance(key, str)}


def written_codes() -> tuple[set[str], set[str]]:
    """(codes found in the sources, f-string codes not listed in DYNAMIC)."""
    codes: set[str] = set()
    unknown: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call):
                values += [k.value for k in node.keywords if k.arg in {"action", "audit_action"}]
                codes |= _machine_codes(node)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in {"action", "audit_action"} for t in node.targets
            ):
                values.append(node.value)
            for value in values:
                codes |= _constants(value)
                for f in _f_strings(value):
                    text = ast.unparse(f)
                    if text in DYNAMIC:
                        codes |= DYNAMIC[text]
                    else:
                        unknown.add(f"{path.relative_to(ROOT)}: {text}")
    return codes, unknown


def admin_codes() -> set[str]:
    return {
        f"{model._meta.model_name}.{verb}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AuditedAdmin)
        for verb in ("create", "update", "delete")
    }


def test_the_sources_are_read():
    codes, _ = written_codes()
    # one of each kind: a literal, a conditional, a state machine move, an f-string expansion
    assert {"case.open", "notificationpreference.create", "plan.approve", "report.oral"} <= codes
    assert "source.create" in admin_codes()


def test_every_f_string_action_code_is_listed():
    _, unknown = written_codes()
    assert not unknown, "把这些动态动作代码可能的取值列入 DYNAMIC 并加中文名称：" + "; ".join(sorted(unknown))


@pytest.mark.django_db
def test_every_action_code_written_has_a_chinese_label():
    codes, _ = written_codes()
    missing = sorted(c for c in codes | admin_codes() if not CHINESE.search(action_label(c)))
    assert not missing, f"这些审计动作没有中文名称（yuqing/audit/labels.py）：{missing}"


def test_every_listed_label_is_chinese():
    assert all(CHINESE.search(label) for label in ACTION_LABELS.values())
    assert all(CHINESE.search(label) for label in TYPED_ACTION_LABELS.values())


@pytest.mark.django_db
def test_every_object_type_written_without_a_model_has_a_chinese_name():
    """``audit_record(obj=(type, id, repr))`` with a type that is no model (a login address)."""
    found = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                obj = next((k.value for k in node.keywords if k.arg == "obj"), None)
                if isinstance(obj, ast.Tuple) and isinstance(obj.elts[0], ast.Constant):
                    found.add(obj.elts[0].value)
    assert "login.address" in found
    assert not [t for t in found if not CHINESE.search(object_type_label(t))]


@pytest.mark.django_db
def test_one_code_for_two_objects_is_named_after_the_object():
    assert action_label("plan.update", "events.monitoringplan") == "修改监测方案"
    assert action_label("plan.update", "cases.responseplan") == "修改应对方案"
    # an audited admin's code, without its object type (the audit page's filter list)
    assert action_label("escalationcontact.delete") == "删除预警升级链"
