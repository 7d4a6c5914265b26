"""The generic door (yuqing.core.statemachine), on a real model: the refusal's kind is set where it is
raised, the offered actions follow the table, and a move is one transaction with its audit entry and
whatever follows from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases.models import ActionStatus, HandlingAction
from yuqing.cases.services import case_open
from yuqing.cases.services.common import ProcedureError
from yuqing.core.errors import ServiceError
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org import access
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db

MACHINE = StateMachine(
    HandlingAction,
    {
        "finish": Move({ActionStatus.OPEN}, ActionStatus.DONE, "措施{label}", label="完成措施"),
        "drop": Move(
            {ActionStatus.OPEN},
            ActionStatus.CANCELLED,
            "措施{label}",
            roles=frozenset({access.GROUP_LEADER}),
            label="取消措施",
        ),
    },
    audit_prefix="test_action",
)


class Cast:
    def __init__(self) -> None:
        self.office = make_persona("sm_office", "应急办成员", access.OFFICE_MEMBER, department="办公室")
        self.leader = make_persona("sm_leader", "组长", access.GROUP_LEADER)


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture
def action(cast):
    case = case_open(user=cast.office, title="定额调整引发商户聚集", severity="major")
    now = timezone.now()
    return HandlingAction.objects.create(
        case=case,
        kind="other",
        title="核查",
        owner=cast.office,
        due_at=now + timedelta(hours=2),
        created_by=cast.office,
        created_at=now,
    )


def test_refusals_carry_their_kind_and_the_offered_actions_follow_the_table(cast, action):
    assert MACHINE.available(action, cast.office) == {"finish"}
    assert MACHINE.available(action, cast.leader) == {"finish", "drop"}
    refused = MACHINE.refusal(action, "drop", cast.office)
    assert isinstance(refused, ServiceError) and refused.kind == "forbidden" and "组长" in refused.message
    MACHINE.transition(action, "finish", user=cast.office)
    assert action.status == ActionStatus.DONE  # the caller's copy is refreshed
    assert MACHINE.available(action, cast.leader) == set()
    with pytest.raises(ServiceError, match="措施已完成") as conflict:
        MACHINE.transition(action, "finish", user=cast.office)
    assert conflict.value.kind == "conflict"
    entry = AuditEntry.objects.get(action="test_action.finish")
    assert (entry.old, entry.new) == ({"status": "open"}, {"status": "done"})


def test_a_move_whose_consequence_fails_is_not_made(cast, action):
    def then(locked: HandlingAction) -> None:
        raise ProcedureError("后续步骤失败")

    with pytest.raises(ProcedureError, match="后续步骤失败"):
        MACHINE.transition(action, "finish", user=cast.office, then=then)
    assert HandlingAction.objects.get(pk=action.pk).status == ActionStatus.OPEN
    assert not AuditEntry.objects.filter(action="test_action.finish").exists()


def test_a_stale_copy_is_refused_by_the_row_as_it_is_now(cast, action):
    stale = HandlingAction.objects.get(pk=action.pk)
    MACHINE.transition(action, "finish", user=cast.office)
    assert stale.status == ActionStatus.OPEN
    with pytest.raises(ServiceError, match="措施已完成"):
        MACHINE.transition(stale, "finish", user=cast.office)
