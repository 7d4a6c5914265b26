"""Chinese names of audit actions and object types, for the audit page and its CSV export."""

from __future__ import annotations

import re
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
    "channelconfig.test": "测试通知渠道",
    # 处置案件（cases）
    "case.open": "立案",
    "case.transition": "处置案件状态流转",
    "procedure_settings.change": "修改处置时限设置",
    "deadline.missed": "处置时限超期",
    "verification.assign": "通报核实任务",
    "verification.submit": "提交核实情况",
    "verification.cancel": "撤销核实任务",
    "attachment.add": "上传证据附件",
    "report.draft": "起草情况报告",
    "report.oral": "登记口头报告",
    "report.update": "修改情况报告",
    "report.sign": "签发情况报告",
    "plan.draft": "起草应对方案",
    "plan.submit": "应对方案报批",
    "plan.approve": "审批通过应对方案",
    "plan.return": "退回应对方案",
    "plan.launch": "启动应急预案",
    "action.create": "布置处置措施",
    "action.complete": "完成处置措施",
    "source_request.create": "发出源头控制请求",
    "source_request.answer": "登记源头控制答复",
    "coordination.log": "登记协调配合",
    "accountability.record": "登记问责",
    "accountability.late_report": "迟报待问责",
    "evaluation.save": "保存评估报告草稿",
    "evaluation.submit": "提交评估报告",
    # 信息发布与舆论引导（releases）
    "release.create": "起草信息发布稿",
    "release.update": "修改信息发布稿",
    "release.edit": "修改信息发布稿（退回草稿）",
    "release.submit": "信息发布稿送保密审查",
    "release.review_pass": "保密审查通过",
    "release.review_return": "保密审查退回",
    "release.sign": "签发信息发布稿",
    "release.publish": "登记信息已发布",
    "release.deadlines_set": "设定公开回应时限",
    "talking_point.create": "发布统一口径",
    "guidance.create": "下达舆论引导任务",
    "guidance.post": "登记引导发帖",
    "guidance.complete": "完成舆论引导任务",
    # 会商与工作组决定（consult）
    "consultation.record": "登记会商",
    "consultation_action.complete": "会商落实事项完成",
    "group_decision.record": "登记工作组决定",
    "case.severity": "调整案件舆情等级",
    "search_synonym.create": "新增检索同义词",
    "search_synonym.update": "修改检索同义词",
    "search_synonym.delete": "删除检索同义词",
    # 政策文件、通知、组织
    "policy.create": "新增政策文件",
    "policy.update": "修改政策文件",
    "policy.delete": "删除政策文件",
    "notificationpreference.create": "设置通知偏好",
    "notificationpreference.update": "修改通知偏好",
    "dutyshift.create": "新增值班班次",
    "person.update": "修改人员",
    "user.create": "新增账号",
    "user.update": "修改账号",
    "user.delete": "删除账号",
    "group.create": "新增权限组",
    "group.update": "修改权限组",
    "group.delete": "删除权限组",
}
# One code, two objects: the label that fits the object the entry is about.
TYPED_ACTION_LABELS: dict[tuple[str, str], str] = {
    ("plan.update", "cases.responseplan"): "修改应对方案",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
VERBS = {"create": "新增", "update": "修改", "delete": "删除"}

# Chinese names of the detail keys that are no column of the entry's object (a column is named by its
# verbose_name, see field_label). By action first, then for any action.
ACTION_KEY_LABELS: dict[tuple[str, str], str] = {
    ("alert.raise", "chain"): "升级链",
    ("alert.rearm", "chain"): "升级链",
    ("alert.escalate", "to"): "升级至",
    ("alert.escalate", "at"): "升级时间",
    ("alert.settle", "at"): "销警时间",
    ("case.transition", "state"): "案件状态",
    ("notify.dispatch", "level"): "通知级别",
    ("org.demo_load", "people"): "载入人数",
    ("attachment.add", "name"): "文件名",
    ("attachment.add", "size"): "文件大小（字节）",
    ("attachment.add", "sha256"): "文件哈希(SHA-256)",
    ("verification.assign", "department"): "核实科室",
    ("guidance.create", "assignee"): "评论员",
    ("login.lock", "user"): "用户名",
}
KEY_LABELS: dict[str, str] = {
    "reason": "理由",
    "deadlines": "调整的时限",
    "done_at": "完成时间",
    "done_note": "完成情况",
    "late": "是否逾期",
    "decided_at": "决定时间",
    "decided_by": "决定人",
    "meeting_id": "会商记录",
    "level": "等级",
    "chain": "升级链",
    "exhausted": "升级链已用尽",
    "case_id": "处置案件",
    "case_state": "案件状态",
    "recipients": "接收人",
    "deliveries": "推送结果",
    "people": "人数",
    "filters": "筛选条件",
    "verification_id": "核实任务",
    "review_id": "保密审查记录",
    "signature_id": "签发记录",
    "checklist": "审查清单",
    "deadlines_met": "按时完成的时限",
    "first_response": "首次权威回应时限",
    "press_conference": "新闻发布会时限",
    "talking_points": "统一口径",
    "superseded": "替代的旧口径",
    "text_chars": "正文字数",
    "text_sha256": "正文哈希(SHA-256)",
    "content_hash": "内容哈希(SM3)",
    "headers_fingerprint": "请求头指纹",
    "task_id": "引导任务",
    "delivery": "投递记录",
    "attempts": "尝试次数",
    "department": "科室",
    "assignee": "承办人",
    "user": "用户",
    "name": "名称",
    "size": "大小",
    "sha256": "哈希(SHA-256)",
    "measures": "处置措施",
    "url": "网址",
    "comments": "意见",
    "at": "时间",
    "to": "至",
    # written by several services; a column of the object is named by its verbose_name first
    "title": "标题",
    "text": "内容",
    "topic": "主题",
    "version": "版本",
    "revision": "修改次数",
    "status": "状态",
    "state": "状态",
    "kind": "类别",
    "severity": "舆情等级",
    "confidentiality": "密级",
    "finding": "事实认定",
    "event_id": "舆情事件",
    "alert_id": "预警",
    "department_id": "科室",
    "due_at": "时限",
    "instructions": "要求",
    "answer": "答复",
    "outcome": "结果",
    "where": "位置",
    "platform": "平台",
    "posted_at": "发帖时间",
    "published_at": "发布时间",
    "launched_at": "启动时间",
    "valid_from": "生效时间",
    "valid_until": "失效时间",
    "key_terms": "关键词",
    "end_date": "卸任日期",
    "on_duty": "值班中",
    "superseded_by": "被替代为",
    "error": "错误",
    "next_attempt_at": "下次重试时间",
    "next_poll_at": "下次采集时间",
    "prefix": "令牌前缀",
    "username": "用户名",
    "usernames": "用户名",
    "user_names": "用户名",
    "ip_address": "IP 地址",
    "addresses": "IP 地址",
    "failures": "失败次数",
    "until": "锁定至",
}
# Keys inside a detail value that is itself a mapping (or a list of mappings), by the outer key.
NESTED_KEY_LABELS: dict[str, dict[str, str]] = {
    # the reviewer's checklist (releases.models.CHECKLIST; a test keeps the two equal)
    "checklist": {
        "no_state_secrets": "不含国家秘密和工作秘密",
        "no_taxpayer_privacy": "不含纳税人涉税隐私（姓名、识别号、申报与纳税信息等）",
        "facts_verified": "所述事实已经核实",
        "consistent_with_points": "口径与统一口径一致",
        "no_unpublished_info": "不含未经公开的税收信息",
    },
    "measures": {
        "measure": "措施",
        "owner_id": "责任人",
        "owner": "责任人",
        "due_at": "完成时限",
        "kind": "类别",
    },
    "filters": {
        "actor": "操作人",
        "person": "操作人",
        "action": "动作",
        "object_type": "对象类型",
        "case": "案件",
        "since": "开始日期",
        "until": "结束日期",
    },
}


# Objects that are no model's rows (audit_record(obj=(type, id, repr))).
OBJECT_TYPE_LABELS: dict[str, str] = {"login.address": "登录地址"}


@lru_cache(maxsize=256)
def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPE_LABELS:
        return OBJECT_TYPE_LABELS[object_type]
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def action_label(action: str, object_type: str = "") -> str:
    """The Chinese name of ``action``; ``create|update|delete`` of a model (the audited admins' codes)
    is named after the model, found by ``object_type`` or else by the code's prefix (the filter list)."""
    if (action, object_type) in TYPED_ACTION_LABELS:
        return TYPED_ACTION_LABELS[(action, object_type)]
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    prefix, _, verb = action.rpartition(".")
    if verb in VERBS:
        model = _model(object_type) if object_type else _model_named(prefix)
        if model is not None:
            return f"{VERBS[verb]}{model._meta.verbose_name}"
        if object_type:
            return f"{VERBS[verb]}{object_type}"
    return action


def detail_label(action: str, object_type: str, key: str) -> str:
    """The Chinese name of detail ``key`` of an entry: by action, else the column of the object's model
    (its verbose_name), else for any action; an unknown key is shown as it is."""
    if (action, key) in ACTION_KEY_LABELS:
        return ACTION_KEY_LABELS[(action, key)]
    label = field_label(object_type, key)
    if CHINESE.search(label):
        return label
    return KEY_LABELS.get(key, label)


def nested_label(outer: str, key: str) -> str:
    return NESTED_KEY_LABELS.get(outer, {}).get(key) or KEY_LABELS.get(key, key)


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


@lru_cache(maxsize=256)
def _model_named(model_name: str):
    """The one installed model whose ``model_name`` is ``model_name`` (None if none or several)."""
    found = [m for m in apps.get_models() if m._meta.model_name == model_name]
    return found[0] if len(found) == 1 else None
