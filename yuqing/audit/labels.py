"""Chinese names of audit actions and object types, for the audit page and its CSV export."""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

ACTION_LABELS: dict[str, str] = {
    "source.create": "新增监测源",
    "source.poll_now": "安排立即采集",
    "label.correct": "更正分析标签",
    "alert.raise": "产生预警",
    "alert.acknowledge": "确认预警",
    "alert.escalate": "预警超时升级",
    "alert.settle": "随结案销警",
    "alert.rearm": "重新启动预警",
    "login.lock": "登录锁定（用户名+地址）",
    "login.lock_address": "登录锁定（密码喷洒，整个地址）",
    "login.lock_account": "登录锁定（整个账号）",
    "login.unlock": "解除登录锁定",
    "plan.create": "新建监测方案",
    "plan.update": "修改监测方案",
    "case.finding": "认定或修改事实认定",
    "report.supersede": "情况报告被替代",
    "user.password": "重设账号密码",
    "token.create": "创建 API 令牌",
    "person.create": "新增人员",
    "role.assign": "任命角色",
    "role.end": "卸任角色",
    "role.duty": "调整值班",
    "training.record": "登记培训",
    "org.demo_load": "载入演示组织",
    "audit.export": "导出审计记录",
    "notify.dispatch": "发送通知",
    "delivery.sent": "推送成功",
    "delivery.retry": "推送失败待重试",
    "delivery.failed": "推送最终失败",
    "delivery.requeue": "重新推送",
}
VERBS = {"create": "新增", "update": "修改", "delete": "删除"}


@lru_cache(maxsize=256)
def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    _, _, verb = action.rpartition(".")
    if verb in VERBS and object_type:
        return f"{VERBS[verb]}{object_type_label(object_type)}"
    return action


@lru_cache(maxsize=1024)
def field_label(object_type: str, name: str) -> str:
    model = _model(object_type)
    if model is None:
        return name
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return str(field.verbose_name)
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):
        return name


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None
