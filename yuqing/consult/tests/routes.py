"""Who may open which 会商 route (checked by tests/test_permission_matrix.py; see
:mod:`yuqing.testing.routes`). The objects are made on a case of 征管科, so the matrix's department head
and handler (of 征管科) may read it; the follow-up action belongs to a person outside the matrix."""

from __future__ import annotations

from typing import Any

from yuqing.consult.services import READERS, WRITERS
from yuqing.testing.factories import make_case, make_persona
from yuqing.testing.routes import RouteSpec


def _case() -> tuple[Any, Any]:
    from yuqing.org import access

    author = make_persona("perm_consult_author", "会商记录人", access.OFFICE_DEPUTY)
    return author, make_case(author, title="会商权限矩阵案件")


def a_case() -> int:
    return _case()[1].pk


def _meeting() -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from yuqing.consult.services import consultation_record

    author, case = _case()
    owner = make_persona("perm_consult_owner", "落实人", department="征管科")
    now = timezone.now()
    data = {
        "held_at": now,
        "topic": "会商对策",
        "people": [author.person.pk],
        "conclusions": "统一口径",
        "actions": [{"text": "起草回应", "owner_id": owner.person.pk, "due_at": now + timedelta(hours=2)}],
    }
    return consultation_record(case=case, user=author, data=data)


def a_meeting() -> int:
    return _meeting().pk


def an_action() -> int:
    return _meeting().actions.get().pk


CASE: dict[str, object] = {"case_id": a_case}
ROUTES: dict[str, RouteSpec] = {
    "consult:case": {"allow": READERS, "kwargs": CASE},
    "consult:meeting_new": {"allow": WRITERS, "kwargs": CASE},
    "consult:decision_new": {"allow": WRITERS, "kwargs": CASE},
    "consult:meeting": {"allow": READERS, "kwargs": {"pk": a_meeting}},
    "consult:action_complete": {"allow": WRITERS, "kwargs": {"pk": an_action}, "method": "post"},
    "api:consultation_index": {"allow": READERS, "kwargs": CASE},
    "api:consultation_create": {"allow": WRITERS, "kwargs": CASE, "method": "post"},
    "api:consultation_action_complete": {
        "allow": WRITERS,
        "kwargs": {"action_id": an_action},
        "method": "post",
    },
    "api:group_decision_index": {"allow": READERS, "kwargs": CASE},
    "api:group_decision_create": {"allow": WRITERS, "kwargs": CASE, "method": "post"},
}
