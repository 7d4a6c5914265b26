"""Reads of 会商 and working-group decisions, and their entries in the case timeline (一案一档)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yuqing.cases.access import case_scope
from yuqing.cases.models import Case
from yuqing.cases.selectors import TimelineEntry, timeline_provider
from yuqing.consult.models import ConsultationAction, ConsultationMeeting, GroupDecision
from yuqing.consult.services import DECIDERS, WRITERS
from yuqing.core.common import user_label
from yuqing.org import access
from yuqing.org.models import ExternalAgency, Person
from yuqing.org.selectors import role_holders


def meetings_of(case: Case) -> QuerySet[ConsultationMeeting]:
    return (
        ConsultationMeeting.objects.filter(case=case)
        .select_related("recorded_by__person")
        .prefetch_related("people", "agencies", "actions__owner", "decisions")
    )


def decisions_of(case: Case) -> QuerySet[GroupDecision]:
    return GroupDecision.objects.filter(case=case).select_related(
        "decided_by", "recorded_by__person", "meeting"
    )


def meeting_get(*, user: Any, meeting_id: int) -> ConsultationMeeting | None:
    """The 会商 if ``user`` may read its case, or owns one of its actions (None: a 404)."""
    return (
        ConsultationMeeting.objects.filter(
            Q(case__in=Case.objects.filter(case_scope(user)).values("pk")) | Q(actions__owner__user=user)
        )
        .filter(pk=meeting_id)
        .select_related("case", "recorded_by__person")
        .prefetch_related("people", "agencies", "actions__owner", "actions__done_by__person", "decisions")
        .distinct()
        .first()
    )


def action_get(*, user: Any, action_id: int) -> ConsultationAction | None:
    """The action if ``user`` owns it or may read its case (None otherwise)."""
    return (
        ConsultationAction.objects.filter(
            Q(meeting__case__in=Case.objects.filter(case_scope(user)).values("pk")) | Q(owner__user=user)
        )
        .filter(pk=action_id)
        .select_related("meeting__case", "owner")
        .first()
    )


def my_open_actions(user: Any) -> QuerySet[ConsultationAction]:
    return ConsultationAction.objects.filter(owner__user=user, done_at__isnull=True).select_related("meeting")


def action_overdue(action: ConsultationAction) -> bool:
    return action.done_at is None and action.due_at < timezone.now()


def participant_choices() -> list[Person]:
    """Staff who may take part: every active person with a profile."""
    return list(Person.objects.filter(user__is_active=True).select_related("department"))


def agency_choices() -> list[ExternalAgency]:
    return list(ExternalAgency.objects.all())


def decider_choices() -> list[Any]:
    """The current 组长 and 副组长 (users with a profile)."""
    return [u for u in role_holders(DECIDERS) if hasattr(u, "person")]


def may_record(user: Any) -> bool:
    return bool(access.cached_roles(user) & WRITERS)


@timeline_provider
def _consultations(case: Case) -> list[TimelineEntry]:
    out = []
    for m in meetings_of(case):
        link = f"/consult/meetings/{m.pk}/"
        who = "、".join(
            [p.name for p in m.people.all()]
            + [a.name for a in m.agencies.all()]
            + ([m.others] if m.others else [])
        )
        out.append(
            TimelineEntry(
                m.held_at,
                "consultation",
                f"会商：{m.topic}",
                f"参会：{who}。结论：{m.conclusions}",
                user_label(m.recorded_by),
                link=link,
            )
        )
        for a in m.actions.all():
            if a.done_at:
                out.append(
                    TimelineEntry(
                        a.done_at,
                        "consultation",
                        f"会商落实事项完成：{a.text}",
                        a.done_note,
                        a.owner.name,
                        status="late" if a.done_late else "ok",
                        link=link,
                    )
                )
    for d in decisions_of(case):
        out.append(
            TimelineEntry(
                d.decided_at,
                "decision",
                f"工作组{d.kind_label.split('（')[0]}",
                d.text,
                d.decided_by.name,
                link=f"/consult/cases/{case.pk}/#decision-{d.pk}",
            )
        )
    return out
