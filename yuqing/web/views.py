"""The site's front door: sends each user to the first page they may open, and greets the system
administrator, who reads no opinion content, with the division of roles and where accounts are kept.
The pages themselves live in their apps (items, events, notify, sources, cases, …); ``web`` keeps the
base templates and shared tags."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from yuqing.org import access
from yuqing.org.selectors import current_assignments

# The first page a user may open, in this order; anyone logged in may read their notifications.
HOME_PAGES = (
    (access.FEED_READERS, "items:list"),
    (frozenset({access.SYSTEM_ADMIN}), "web:admin_start"),  # the role split and account management
    (access.SOURCE_READERS, "sources:health"),
    (access.AUDIT_READERS, "audit:list"),
    (access.CASE_READERS, "cases:list"),  # department heads and handlers: their verification tasks
    (access.TALENT_POOL, "releases:tasks"),  # commentators' guidance tasks
    (frozenset({access.SECRECY_REVIEWER}), "releases:list"),
    (access.ROSTER_READERS, "org:roster"),
)

# What each role does here (本局设置, after the plan's 组织体系 and its 保密审查 and 纪检 duties), in the
# order of :class:`yuqing.org.access.Role`. The three that keep watch over the system itself come first.
ROLE_DUTIES: dict[str, str] = {
    access.SYSTEM_ADMIN: "管理账号、角色、部门、监测源和通知渠道；不阅读舆情信息、事件和案件内容",
    access.AUDITOR: "纪检组：查阅审计日志和问责台账，监督系统管理员和各岗位的操作",
    access.SECRECY_REVIEWER: "发布前对信息发布稿进行保密审查",
    access.GROUP_LEADER: "工作组组长：签发报告和发布稿，审批应对方案，结案",
    access.GROUP_DEPUTY: "工作组副组长：签发报告和发布稿，审批应对方案",
    access.GROUP_MEMBER: "工作组成员：了解舆情和案件进展",
    access.OFFICE_DIRECTOR: "应急办主任：值守信息流和预警，立案、通报事发科室、起草报告和方案",
    access.OFFICE_DEPUTY: "应急办副主任：同应急办主任，分管舆情日常工作",
    access.OFFICE_MEMBER: "应急办成员：值班，确认预警，跟进案件",
    access.DEPARTMENT_HEAD: "科室负责人：接收核实任务，组织本科室核实",
    access.DEPARTMENT_HANDLER: "处置责任人：填报核实情况，办理处置措施",
    access.COMMENTATOR: "税收评论员：按引导任务发声",
    access.PUBLICIST: "网络宣传员：按引导任务发布宣传内容",
}
WATCHERS = (access.SYSTEM_ADMIN, access.AUDITOR, access.SECRECY_REVIEWER)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    held = access.cached_roles(request.user)
    return redirect(next((url for roles, url in HOME_PAGES if held & roles), "notify:notifications"))


@access.role_required(access.SYSTEM_ADMIN)
def admin_start(request: HttpRequest) -> HttpResponse:
    """The system administrator's first page: who does what, and where accounts and roles are managed.
    With the demo loaded, each role's demo accounts too, so the administrator knows whom to log in as
    to see the live feed."""
    demo: dict[str, list[str]] = {}
    if settings.DEMO:
        rows = current_assignments().filter(person__is_demo=True, person__user__is_active=True)
        for row in rows:
            names = demo.setdefault(row.role, [])
            if row.person.user.username not in names:
                names.append(row.person.user.username)
    roles = [
        {
            "label": access.ROLE_LABELS[role],
            "duty": duty,
            "watcher": role in WATCHERS,
            "demo": demo.get(role, []),
        }
        for role, duty in ROLE_DUTIES.items()
    ]
    return render(request, "web/admin_start.html", {"roles": roles, "demo": settings.DEMO})
