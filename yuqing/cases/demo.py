"""The demo's finished case: one story taken through every stage of the plan's procedure (二(一)–(六)),
with real service calls dated over the past week, so a newcomer can open a 一案一档 that shows it all.

The story is fictional. Loading is idempotent: a demo case with the same title is not added twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.core.hooks import run_hooks
from yuqing.org.models import Department, ExternalAgency

TITLE = "（演示）网传“铁门关个体户定额一律上调三成”"


def _users() -> dict[str, Any] | None:
    names = (
        "duty",
        "director",
        "office_deputy",
        "leader",
        "deputy",
        "head_zg",
        "auditor",
        "head_fz",
        "commentator",
    )
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
    return found if len(found) == len(names) else None


def demo_load(*, now: datetime | None = None) -> Case | None:
    """Create the finished demo case (None when the demo organisation is missing or it exists already)."""
    if Case.objects.filter(title=TITLE).exists():
        return None
    u = _users()
    if u is None:
        return None

    zg = Department.objects.filter(name="征管科").first()
    if zg is None:
        return None
    end = now or timezone.now()
    t0 = end - timedelta(days=6, hours=5)

    def at(hours: float) -> datetime:
        return t0 + timedelta(hours=hours)

    case = services.case_open(
        user=u["duty"],
        title=TITLE,
        severity="major",
        description="某论坛帖子称“铁门关个体户定额从下月起一律上调三成”，两小时内被三个本地微信群和两个微博账号转发，"
        "评论多为质疑和不满。帖子附有一张来源不明的“通知”截图。",
        confidentiality=0,
        now=at(0),
    )
    Case.objects.filter(pk=case.pk).update(is_demo=True)
    services.verification_assign(
        case=case,
        user=u["duty"],
        department_id=zg.pk,
        instructions="请核实近期有无定额调整、截图是否为我局文件。",
        now=at(0.2),
    )
    services.verification_open(task=case.verifications.get(), user=u["head_zg"], now=at(0.4))
    services.verification_submit(
        task=case.verifications.get(),
        user=u["head_zg"],
        data={
            "basic_facts": "本年度未作出定额整体上调决定；截图格式、文号均与我局文件不符，系拼接伪造。",
            "cause": "个别商户收到个人定额复核通知后误读，他人据此编造“一律上调”的截图。",
            "consequences": "本地论坛、三个微信群及两个微博账号传播，部分商户到办税服务厅询问。",
            "proposed_handling": "发布情况说明澄清；联系论坛删除不实帖子；向公安机关通报伪造文件线索。",
            "finding": "false",
        },
        now=at(1.5),
    )
    oral = services.report_create(
        case=case,
        user=u["duty"],
        data={
            "kind": "initial",
            "level": "working_group",
            "mode": "oral",
            "occurred_at": at(-2).isoformat(),
            "place": "本地论坛、微信群",
            "people": "网民、个体商户",
            "cause": "伪造的定额调整“通知”截图",
            "current_state": "转发约三百次，评论以质疑为主",
            "handling_so_far": "征管科已核实为失实",
            "reported_to": "副组长李卫东（电话）",
            "reported_at": at(1.7).isoformat(),
        },
        now=at(1.7),
    )
    written = services.report_create(
        case=case,
        user=u["duty"],
        data={
            "kind": "initial",
            "level": "working_group",
            "follows_up_id": oral.pk,
            "signer_id": u["director"].pk,
            "occurred_at": at(-2).isoformat(),
            "place": "本地论坛及三个微信群、两个微博账号",
            "people": "发帖网民（身份待查）；询问的个体商户约二十人",
            "cause": "个别商户误读个人定额复核通知，他人编造“一律上调三成”的截图",
            "nature": "不实信息（伪造文件）",
            "scale": "转发约三百次，评论约一百二十条",
            "course": "前日晚发帖，次日上午在微信群扩散，部分商户到办税服务厅询问",
            "harm": "引起部分商户不安，办税服务厅咨询量上升",
            "scope": "本市个体商户群体",
            "info_source": "舆情监测系统预警（重大）；论坛原帖",
            "current_state": "热度仍在上升",
            "trend_judgement": "如不及时澄清，24 小时内可能扩散至全市",
            "handling_so_far": "征管科核实为失实",
            "development_trend": "澄清后预计 48 小时内回落",
            "next_steps": "发布情况说明；请网管部门协助删除；通报公安机关",
        },
        now=at(2.5),
    )
    services.report_sign(report=written, user=u["director"], now=at(3))
    plan = services.response_plan_draft(
        case=case,
        user=u["office_deputy"],
        data={
            "summary": "情况失实：第一时间发布情况说明澄清事实，协调网管部门和首发网站删除不实信息，"
            "组织税收评论员解读定额核定规则。",
            "measures": [
                {
                    "measure": "官网、官方微博发布情况说明",
                    "owner_id": u["director"].pk,
                    "due_at": at(8).isoformat(),
                    "kind": "clarification",
                },
                {
                    "measure": "请首发论坛删除不实帖子",
                    "owner_id": u["duty"].pk,
                    "due_at": at(10).isoformat(),
                    "kind": "source_control",
                },
            ],
            "resources": "新闻发布口径一份；评论员两名",
            "task_force": "由办公室、征管科组成临时工作组",
        },
        now=at(3.3),
    )
    services.response_plan_submit(plan=plan, user=u["office_deputy"], now=at(3.4))
    services.response_plan_decide(
        plan=plan, user=u["deputy"], approve=True, comments="同意，注意口径统一。", now=at(3.8)
    )
    # 信息发布 and 舆论引导 (releases, through its hook): the 情况说明 through 保密审查 and 签发, talking
    # points, a commentator's post. Under 4 h after opening: every step is dated then, after the launch.
    run_hooks("demo.case_responding", case=case, people=u, now=at(3.95))
    for action, result in zip(
        case.actions.order_by("pk"),
        ("已于官网、官方微博发布《关于网传个体户定额上调的情况说明》", "论坛已删除原帖及两条转帖"),
        strict=True,
    ):
        services.action_complete(action=action, user=action.owner, result=result, now=at(6))
    agency = ExternalAgency.objects.filter(name__contains="网").first()
    services.source_request_create(
        case=case,
        user=u["duty"],
        now=at(5),
        data={
            "target": "本地论坛（首发网站）",
            "agency_id": agency.pk if agency else None,
            "kind": "takedown",
            "request": "删除伪造“定额上调通知”的原帖及转帖",
            "requested_at": at(4.5).isoformat(),
        },
    )
    row = case.source_requests.get()
    services.source_request_answer(
        row=row, user=u["duty"], outcome="done", answer="已删除原帖及两条转帖", now=at(5.5)
    )
    services.coordination_log(
        case=case,
        user=u["duty"],
        now=at(5),
        data={
            "counterpart": "市公安局网安支队",
            "contact_person": "值班民警",
            "channel": "电话",
            "contacted_at": at(4.8).isoformat(),
            "request": "通报伪造税务文件截图线索",
            "outcome": "已受理",
        },
    )
    services.case_transition(
        case=case, to=cv.TRACKING, user=u["duty"], reason="澄清已发布，源头已控制", now=at(6.5)
    )
    services.tracking_end(case=case, user=u["duty"], reason="72 小时跟踪期内未再出现相关讨论", now=at(78.5))
    services.evaluation_save(
        case=case,
        user=u["office_deputy"],
        submit=True,
        now=at(90),
        data={
            "cause": "个人定额复核通知措辞易误读，被人编造截图",
            "nature": "失实舆情（伪造文件）",
            "impact": "本市个体商户群体，约三百次转发，48 小时内平息",
            "responsibility": "无我局人员责任；伪造线索已移交公安",
            "lessons": "复核通知应附说明；监测系统预警后 2 小时内完成核实与初报",
            "improvements": "修订定额复核通知模板；将定额政策纳入统一口径库",
        },
    )
    services.case_transition(case=case, to=cv.CLOSED, user=u["leader"], now=at(96))
    case.refresh_from_db()
    return case
