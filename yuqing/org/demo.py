"""The demo organisation of 铁门关税务局: the plan's nine departments, its working group and office, a
talent pool with training records, and the external agencies it names.

Every person is fictional (the plan names the real 局长; he is not here). Each demo person can log in
with the password in ``YUQING_DEMO_PASSWORD`` (default ``Tiemenguan-Demo-2026``); ``YUQING_DEMO=0``
deactivates them again (:func:`demo_disable`). Loading is idempotent: what exists is kept as
edited, what is missing is added.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from yuqing.audit.services import audit_record
from yuqing.org import access
from yuqing.org import services as org
from yuqing.org.models import AgencyKind, Department, ExternalAgency, Person, RoleAssignment

DEFAULT_DEMO_PASSWORD = "Tiemenguan-Demo-2026"  # noqa: S105 — documented demo password, see module doc
ADMIN_GROUP = "系统管理员"
ADMIN_APPS = ("org", "sources", "events", "notify", "demo", "auth")

# 一(一): the nine departments whose heads sit on the working group and which each name an office member.
DEPARTMENTS = (
    "办公室",
    "纳税服务科",
    "人事教育科",
    "法制科",
    "征管科",
    "税源管理科",
    "社会保险费和非税收入科",
    "稽查局",
    "纪检组",
)

A = access
ROLE_START = date(2025, 1, 1)
HANDOVER = date(2026, 7, 1)

# username, name, department (None = 局领导), title, skills, roles
# A role is a name, or (name, extra) where extra may hold "department", "on_duty", "start", "end".
PEOPLE: tuple[tuple[str, str, str | None, str, str, tuple[Any, ...]], ...] = (
    ("leader", "王建国", None, "党委书记、局长", "", (A.GROUP_LEADER,)),
    ("deputy", "李卫东", None, "党委委员、副局长（分管办公室、舆情工作）", "", (A.GROUP_DEPUTY,)),
    ("deputy2", "赵文静", None, "党委委员、副局长（分管征管、纳税服务）", "", (A.GROUP_DEPUTY,)),
    (
        "director",
        "陈志强",
        "办公室",
        "办公室主任",
        "公文写作、新闻发布",
        (A.OFFICE_DIRECTOR, A.DEPARTMENT_HEAD, A.GROUP_MEMBER),
    ),
    (
        "office_deputy",
        "刘晓燕",
        "办公室",
        "办公室副主任（分管舆情）",
        "舆情研判、新闻发布、政务新媒体",
        (A.OFFICE_DEPUTY,),
    ),
    (
        "head_nsfw",
        "周丽华",
        "纳税服务科",
        "纳税服务科科长",
        "纳税服务、12366 热线",
        (A.DEPARTMENT_HEAD, A.GROUP_MEMBER),
    ),
    ("head_rsjy", "吴海峰", "人事教育科", "人事教育科科长", "教育培训", (A.DEPARTMENT_HEAD, A.GROUP_MEMBER)),
    (
        "head_fz",
        "郑晓明",
        "法制科",
        "法制科科长",
        "税收法律、复议应诉、保密审查",
        (A.DEPARTMENT_HEAD, A.GROUP_MEMBER, A.SECRECY_REVIEWER),
    ),
    ("head_zg", "孙国庆", "征管科", "征管科科长", "征管改革", (A.DEPARTMENT_HEAD, A.GROUP_MEMBER)),
    ("head_sygl", "马建新", "税源管理科", "税源管理科科长", "税源分析", (A.DEPARTMENT_HEAD, A.GROUP_MEMBER)),
    (
        "head_sbf",
        "胡玉梅",
        "社会保险费和非税收入科",
        "社会保险费和非税收入科科长",
        "社保费政策",
        (A.DEPARTMENT_HEAD, A.GROUP_MEMBER),
    ),
    ("head_jc", "高志远", "稽查局", "稽查局局长", "税务稽查", (A.DEPARTMENT_HEAD, A.GROUP_MEMBER)),
    ("head_jj", "林秀英", "纪检组", "纪检组组长", "执纪审查", (A.DEPARTMENT_HEAD, A.GROUP_MEMBER, A.AUDITOR)),
    (
        "duty",
        "杨帆",
        "办公室",
        "科员",
        "舆情监测、信息报送、公文写作",
        ((A.OFFICE_MEMBER, {"on_duty": True}), A.PUBLICIST),
    ),
    ("member_nsfw", "黄婷", "纳税服务科", "科员", "政策解读、12366 热线", (A.OFFICE_MEMBER, A.COMMENTATOR)),
    ("member_rsjy", "徐磊", "人事教育科", "科员", "培训组织", (A.OFFICE_MEMBER,)),
    ("member_fz", "何静", "法制科", "科员", "税收法律、政策解读", (A.OFFICE_MEMBER, A.COMMENTATOR)),
    ("member_zg", "罗斌", "征管科", "科员", "电子税务局", (A.OFFICE_MEMBER,)),
    (
        "former_sygl",
        "钱进",
        "税源管理科",
        "科员（已调岗）",
        "数据分析",
        ((A.OFFICE_MEMBER, {"end": HANDOVER}),),
    ),
    (
        "member_sygl",
        "梁雪",
        "税源管理科",
        "科员",
        "短视频制作、新媒体运营",
        ((A.OFFICE_MEMBER, {"start": HANDOVER}), A.PUBLICIST),
    ),
    ("member_sbf", "宋佳", "社会保险费和非税收入科", "科员", "社保费政策", (A.OFFICE_MEMBER,)),
    ("member_jc", "唐伟", "稽查局", "科员", "案件查办", (A.OFFICE_MEMBER, A.DEPARTMENT_HANDLER)),
    ("auditor", "韩冰", "纪检组", "纪检干部", "执纪审查、数据核查", (A.OFFICE_MEMBER, A.AUDITOR)),
    ("handler_nsfw", "谢敏", "纳税服务科", "副科长", "办税服务厅管理", (A.DEPARTMENT_HANDLER,)),
    ("commentator", "冯雨", "纳税服务科", "科员", "评论写作、政策解读", (A.COMMENTATOR,)),
    ("publicist", "曹阳", "征管科", "科员", "新媒体运营、图文设计", (A.PUBLICIST,)),
    ("sysadmin", "彭涛", "办公室", "信息技术岗", "系统运维、网络安全", (A.SYSTEM_ADMIN,)),
)

# username, course, days before today, hours, organizer
TRAININGS = (
    ("duty", "涉税舆情监测与应急处置实务", 240, "12", "自治区税务局"),
    ("duty", "政务新媒体写作", 90, "4", "办公室"),
    ("office_deputy", "涉税舆情监测与应急处置实务", 240, "12", "自治区税务局"),
    ("office_deputy", "突发事件新闻发布与媒体沟通", 150, "6", "师市政府新闻办"),
    ("member_nsfw", "税收评论员业务培训", 200, "8", "办公室"),
    ("member_fz", "税收评论员业务培训", 200, "8", "办公室"),
    ("member_fz", "网络谣言的法律责任与处置", 60, "3", "法制科"),
    ("commentator", "税收评论员业务培训", 200, "8", "办公室"),
    ("commentator", "政策解读与回应关切", 45, "4", "纳税服务科"),
    ("member_sygl", "短视频策划与制作", 120, "6", "师市融媒体中心"),
    ("publicist", "网络宣传员上岗培训", 180, "6", "办公室"),
    ("publicist", "短视频策划与制作", 120, "6", "师市融媒体中心"),
    ("auditor", "信息系统审计与数据核查", 100, "8", "纪检组"),
)

# name, kind, contact, phone, url, notes — all contact data fictional.
AGENCIES = (
    (
        "师市政府新闻办公室",
        AgencyKind.PRESS_OFFICE,
        "张主任（演示）",
        "0996-5550101",
        "",
        "重大涉税舆情统一对外发布口径的协调单位",
    ),
    ("市委宣传部", AgencyKind.PROPAGANDA, "李科长（演示）", "0996-5550102", "", "舆论引导的工作指导"),
    (
        "市公安局网安支队",
        AgencyKind.POLICE,
        "王警官（演示）",
        "0996-5550110",
        "",
        "涉及造谣、煽动、聚集的线索移交",
    ),
    (
        "师市网信办（网管部门）",
        AgencyKind.INTERNET_REGULATOR,
        "赵科长（演示）",
        "0996-5550103",
        "",
        "有害信息处置、源头控制",
    ),
    (
        "新闻出版管理部门",
        AgencyKind.PRESS_PUBLICATION,
        "孙科长（演示）",
        "0996-5550104",
        "",
        "报刊、出版物相关舆情",
    ),
    ("师市信访局", AgencyKind.PETITION, "周科长（演示）", "0996-5550105", "", "群体性诉求的信访渠道"),
    (
        "国家税务总局新疆维吾尔自治区税务局办公室",
        AgencyKind.SUPERIOR_TAX,
        "值班室（演示）",
        "0991-5550100",
        "",
        "必要时向自治区税务局报告（二(三)）",
    ),
    (
        "铁门关新闻网（演示）",
        AgencyKind.WEBSITE,
        "编辑部（演示）",
        "0996-5550120",
        "https://news.example.cn/",
        "当地主要新闻网站：首发信息沟通",
    ),
    (
        "本地综合论坛（演示）",
        AgencyKind.WEBSITE,
        "站务（演示）",
        "0996-5550121",
        "https://bbs.example.cn/",
        "社会知名网站：首发信息沟通",
    ),
)


def demo_password() -> str:
    return os.environ.get("YUQING_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@transaction.atomic
def demo_load() -> int:
    """Create what is missing of the demo organisation; returns how many people were added."""
    departments = {}
    for position, name in enumerate(DEPARTMENTS, start=1):
        departments[name], _ = Department.objects.get_or_create(name=name, defaults={"position": position})
    User = get_user_model()
    # Switched back on after YUQING_DEMO=0 (demo_disable): the demo people may log in again.
    User.objects.filter(person__is_demo=True, is_active=False).update(is_active=True)
    existing = set(
        User.objects.filter(username__in=[p[0] for p in PEOPLE]).values_list("username", flat=True)
    )
    password_hash = make_password(demo_password())  # hashed once: PBKDF2 per user would take seconds
    added = 0
    people: dict[str, Person] = {}
    for username, name, dept, title, skills, roles in PEOPLE:
        if username in existing:
            person = Person.objects.filter(user__username=username).first()
            if person is not None:
                people[username] = person
            continue
        person = org.person_create(
            username=username,
            name=name,
            department=departments[dept] if dept else None,
            title=title,
            phone=f"0996-555{len(people):04d}",
            skills=skills,
            password_hash=password_hash,
            is_staff=access.SYSTEM_ADMIN in roles,
            is_demo=True,
        )
        people[username] = person
        added += 1
        for role in roles:
            role_name, extra = (role, {}) if isinstance(role, str) else role
            if _taken(role_name, person.department):
                continue  # someone real already holds it: the demo does not displace them
            assignment = org.role_assign(
                person=person,
                role=role_name,
                start_date=extra.get("start", ROLE_START),
                on_duty=extra.get("on_duty", False),
            )
            if "end" in extra:
                org.role_end(assignment=assignment, end_date=extra["end"])
    today = timezone.localdate()
    for username, course, days_ago, hours, organizer in TRAININGS:
        person = people.get(username)
        if person is None or person.trainings.filter(course=course).exists():
            continue
        org.training_record_add(
            person=person,
            course=course,
            date=today - timedelta(days=days_ago),
            hours=hours,
            organizer=organizer,
        )
    for position, (name, kind, contact, phone, url, notes) in enumerate(AGENCIES, start=1):
        ExternalAgency.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "contact_person": contact,
                "phone": phone,
                "url": url,
                "notes": notes,
                "position": position,
                "is_demo": True,
            },
        )
    _admin_group(people.get("sysadmin"))
    if added:
        audit_record(actor=None, action="org.demo_load", obj=None, new={"people": added})
    return added


def _taken(role: str, department: Department | None) -> bool:
    if role in access.SINGLE_HOLDER_ROLES:
        holders = RoleAssignment.objects.filter(role=role, end_date__isnull=True)
    elif role in access.PER_DEPARTMENT_ROLES:
        holders = RoleAssignment.objects.filter(role=role, department=department, end_date__isnull=True)
    else:
        return False
    return holders.exists()


def _admin_group(person: Person | None) -> None:
    """The demo system administrator manages sources, plans, rules, the organisation and users in the
    admin; the audit trail stays read-only even for them."""
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created:
        perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        view_audit = Permission.objects.filter(content_type__app_label="audit", codename__startswith="view_")
        group.permissions.set([*perms, *view_audit])
    if person is not None:
        person.user.groups.add(group)


def demo_disable() -> int:
    """``YUQING_DEMO=0``: demo people can no longer log in (their history stays). Returns how many."""
    return get_user_model().objects.filter(person__is_demo=True, is_active=True).update(is_active=False)
