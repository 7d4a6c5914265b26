"""Writes on the organisation and on accounts (login locks included). Each one is audited in its own
transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.core.errors import CONFLICT, INVALID, ServiceError
from yuqing.core.hooks import run_hooks
from yuqing.org import access, selectors
from yuqing.org.models import ApiToken, Department, Person, RoleAssignment, TrainingRecord, hash_token
from yuqing.org.selectors import LoginLock


class OrgError(ServiceError, ValueError):
    """A refused change to the organisation (a ServiceError, ``invalid`` unless said otherwise; still a
    ValueError for older callers); the text says why."""

    default_kind = INVALID


def api_token_create(*, user: User, name: str = "", actor: Any = None) -> str:
    """Create a token for ``user`` and return it; only its hash is stored (and audited: never the token)."""
    token = ApiToken.generate()
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user, name=name[:100], prefix=token[:10], token_hash=hash_token(token)
        )
        audit_record(
            actor=actor,
            action="token.create",
            obj=row,
            new={"user": user.get_username(), "name": row.name, "prefix": row.prefix},
        )
    return token


def person_create(
    *,
    username: str,
    name: str,
    department: Department | None = None,
    title: str = "",
    phone: str = "",
    skills: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    is_demo: bool = False,
    actor: Any = None,
) -> Person:
    """A login account and its staff profile. Without a password the account cannot log in until an
    administrator sets one; ``password_hash`` (from ``make_password``) lets a loader hash only once."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password, is_staff=is_staff)
        if password_hash is not None:
            user.password = password_hash
            user.save(update_fields=["password"])
        person = Person(
            user=user,
            name=name,
            department=department,
            title=title,
            phone=phone,
            skills=skills,
            is_demo=is_demo,
        )
        person.full_clean()
        person.save()
        audit_record(actor=actor, action="person.create", obj=person, new=audit_snapshot(person))
    return person


def role_assign(
    *,
    person: Person,
    role: str,
    department: Department | None = None,
    start_date: date | None = None,
    on_duty: bool = False,
    note: str = "",
    actor: Any = None,
) -> RoleAssignment:
    """Appoint ``person`` to ``role`` from ``start_date`` (today by default).

    For a role one person holds at a time (组长, 主任; per department: 应急办成员, 科室负责人), the
    current holder's assignment ends on the same day — a handover, recorded as two audited changes.
    """
    if role not in access.ROLE_LABELS:
        raise OrgError(f"未知角色：{role}")
    start = start_date or access.as_day()
    department = department or (person.department if role in access.DEPARTMENT_ROLES else None)
    with transaction.atomic():
        # order_by("id"): the default ordering joins the (nullable) department, and PostgreSQL cannot
        # lock the nullable side of an outer join.
        predecessors = (
            RoleAssignment.objects.select_for_update().filter(role=role, end_date__isnull=True).order_by("id")
        )
        if role in access.PER_DEPARTMENT_ROLES:
            predecessors = predecessors.filter(department=department)
        elif role not in access.SINGLE_HOLDER_ROLES:
            predecessors = predecessors.none()
        for previous in predecessors:
            if previous.person_id == person.id:
                raise OrgError(f"{person} 已担任{access.ROLE_LABELS[role]}", kind=CONFLICT)
            if previous.start_date >= start:
                raise OrgError(f"{previous.person} 自 {previous.start_date} 起担任此角色，新任日期须晚于该日")
            role_end(assignment=previous, end_date=start, actor=actor)
        assignment = RoleAssignment(
            person=person, role=role, department=department, start_date=start, on_duty=on_duty, note=note
        )
        assignment.full_clean()
        assignment.save()
        audit_record(actor=actor, action="role.assign", obj=assignment, new=audit_snapshot(assignment))
    return assignment


def role_end(
    *, assignment: RoleAssignment, end_date: date | None = None, actor: Any = None
) -> RoleAssignment:
    """End ``assignment`` on ``end_date`` (today by default: from that day on the role is not held)."""
    end = end_date or access.as_day()
    if assignment.end_date is not None:
        raise OrgError(f"该任职已于 {assignment.end_date} 结束", kind=CONFLICT)
    if end <= assignment.start_date:
        raise OrgError(f"卸任日期必须晚于任职日期（{assignment.start_date}）")
    with transaction.atomic():
        assignment.end_date = end
        assignment.on_duty = False
        assignment.save(update_fields=["end_date", "on_duty"])
        audit_record(
            actor=actor,
            action="role.end",
            obj=assignment,
            old={"end_date": None},
            new={"end_date": end},
        )
    return assignment


def duty_set(*, assignment: RoleAssignment, on_duty: bool, actor: Any = None) -> RoleAssignment:
    """Put an office member on (or off) duty: alerts go to the members on duty first."""
    if assignment.role != access.OFFICE_MEMBER:
        raise OrgError("只有舆情应急办成员可以设为值班")
    if on_duty and not assignment.is_current():
        raise OrgError("该任职不在任期内，不能设为值班", kind=CONFLICT)
    with transaction.atomic():
        old = assignment.on_duty
        assignment.on_duty = on_duty
        assignment.save(update_fields=["on_duty"])
        audit_record(
            actor=actor, action="role.duty", obj=assignment, old={"on_duty": old}, new={"on_duty": on_duty}
        )
    return assignment


def training_record_add(
    *,
    person: Person,
    course: str,
    date: date,
    hours: Decimal | float | str,
    organizer: str = "",
    notes: str = "",
    actor: Any = None,
) -> TrainingRecord:
    """Record a course ``person`` attended (三(一) 培训)."""
    record = TrainingRecord(
        person=person, course=course, date=date, hours=Decimal(str(hours)), organizer=organizer, notes=notes
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(actor=actor, action="training.record", obj=record, new=audit_snapshot(record))
    return record


# --- login locks (rules in org.selectors) --------------------------------------------------------------


def _login_subject(username: str) -> Any:
    """The audit object for a user name: its account, or the bare name (a guessed name has none)."""
    user = get_user_model().objects.filter(username=username).first()
    return user if user is not None else ("auth.user", "", username)


def login_locks_record(*, username: str | None, ip_address: str | None, now: datetime) -> LoginLock | None:
    """After a failed login that no lock refused (django-axes has counted it): the locks it set, if any.

    Each lock found is new, since an existing one would have refused the attempt. Its clock restarts
    now — the attempts making it are stamped ``now`` — so it lasts exactly the cool-off from this
    moment; it is audited; the address and account locks (signs of an attack rather than of a forgotten
    password) are also sent to :func:`~yuqing.org.selectors.login_alert_recipients` after commit.
    Returns the lock to show, as :func:`~yuqing.org.selectors.login_lock` would.
    """
    user_lock = selectors.login_user_lock(username=username, ip_address=ip_address, now=now)
    address_lock = selectors.login_address_lock(ip_address=ip_address, now=now)
    if user_lock is None and address_lock is None:
        return None
    ip = ip_address or None
    live = AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    until = now + settings.AXES_COOLOFF_TIME
    alerts: list[tuple[str, str, str]] = []  # title, body, link
    with transaction.atomic():
        if user_lock is not None and user_lock.kind == selectors.LOCK_ACCOUNT:
            name = username or ""  # login_user_lock() finds no lock without a user name
            sources = selectors.login_failed_addresses(username=name, now=now)
            live.filter(username=name).update(attempt_time=now)
            audit_record(
                actor=None,
                action="login.lock_account",
                obj=_login_subject(name),
                new={
                    "username": username,
                    "failures": user_lock.failures,
                    "addresses": sources,
                    "until": until,
                },
            )
            alerts.append(
                (
                    f"登录告警：账号 {username} 从 {len(sources)} 个地址连续登录失败，已锁定 {minutes} 分钟",
                    (
                        f"{minutes} 分钟内该账号登录失败 {user_lock.failures} 次，"
                        f"来自：{'、'.join(sources)}。"
                        f"锁定期间该账号在任何地址都不能登录，其 API 令牌与已登录会话暂停使用，"
                        f"{timezone.localtime(until):%H:%M} 自动解除。请与本人核实；如需提前解除，"
                        f"在 系统管理 → 访问尝试 中删除该账号的记录。"
                    ),
                    _attempts_admin_link(name),
                )
            )
        elif user_lock is not None:
            live.filter(username=username, ip_address=ip).update(attempt_time=now)
            audit_record(
                actor=None,
                action="login.lock",
                obj=_login_subject(username or ""),
                new={
                    "username": username,
                    "ip_address": ip_address,
                    "failures": user_lock.failures,
                    "until": until,
                },
            )
        if address_lock is not None:
            names = selectors.login_failed_usernames(ip_address=ip_address, now=now)
            live.filter(ip_address=ip).update(attempt_time=now)
            audit_record(
                actor=None,
                action="login.lock_address",
                obj=("login.address", ip_address or "", ip_address or "（未知地址）"),
                new={
                    "ip_address": ip_address,
                    "user_names": address_lock.failures,
                    "usernames": names[:100],
                    "until": until,
                },
            )
            shown = "、".join(names[:20]) + ("等" if len(names) > 20 else "")
            alerts.append(
                (
                    f"登录告警：地址 {ip_address} 疑似密码喷洒，已禁止其登录 {minutes} 分钟",
                    (
                        f"{minutes} 分钟内从该地址对 {len(names)} 个不同用户名登录失败（{shown}）。"
                        f"{timezone.localtime(until):%H:%M} 前该地址不能登录任何账号"
                        f"（已登录的会话不受影响）。"
                        f"请核查该地址对应的终端；如属误判（如多人共用出口地址），"
                        f"在 系统管理 → 访问尝试 中删除该地址的记录即可解除。"
                    ),
                    _attempts_admin_link(ip_address or ""),
                )
            )
        if alerts:  # notify (which builds on org) sends them after commit
            run_hooks("login.locked", alerts=alerts)
    return selectors.login_lock(username=username, ip_address=ip_address, now=now)


def _attempts_admin_link(query: str) -> str:
    return reverse("admin:axes_accessattempt_changelist") + "?" + urlencode({"q": query})


def login_unlock(*, username: str | None = None, ip_address: str | None = None, actor: Any) -> int:
    """Lift the login locks on ``username`` at ``ip_address`` (either may be left out to mean every user
    name or every address, not both): delete django-axes' failed-attempt records for them. Audited;
    returns the number of records deleted."""
    if not username and not ip_address:
        raise OrgError("解除登录锁定须指定用户名或地址")
    rows = AccessAttempt.objects.all()
    if username:
        rows = rows.filter(username=username)
    if ip_address:
        rows = rows.filter(ip_address=ip_address)
    with transaction.atomic():
        old = list(rows.values("username", "ip_address", "failures_since_start", "attempt_time"))
        count, _ = rows.delete()
        audit_record(
            actor=actor,
            action="login.unlock",
            obj=_login_subject(username) if username else ("login.address", ip_address, ip_address),
            old={"attempts": old},
            new={"username": username, "ip_address": ip_address},
        )
    return count
