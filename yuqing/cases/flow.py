"""The case state machine, declared once (design.md "Case states").

``TRANSITIONS`` maps (from, to) to who may make the move and what it needs; ``case_transition`` in
:mod:`yuqing.cases.services.case` is the only code that changes ``Case.state`` and consults it. The
preconditions themselves read the database and live beside it (``services.case.PRECONDITIONS``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from yuqing.cases import vocab as cv
from yuqing.org import access

OFFICE = frozenset({access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY, access.OFFICE_MEMBER})
OFFICE_HEADS = frozenset({access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY})
LEADERS = frozenset({access.GROUP_LEADER, access.GROUP_DEPUTY})
DEPARTMENT = frozenset({access.DEPARTMENT_HEAD, access.DEPARTMENT_HANDLER})

# Who may open the procedure's pages and API at all (which cases each sees: yuqing.cases.access).
READERS = access.CASE_READERS
WRITERS = OFFICE | LEADERS  # open cases, notify, draft reports and plans, record handling
UPLOADERS = WRITERS | DEPARTMENT
REPORT_SIGNERS = LEADERS | {access.OFFICE_DIRECTOR}
FINDING_EDITORS = LEADERS | OFFICE_HEADS
SEVERITY_SETTERS = (
    LEADERS | OFFICE_HEADS
)  # set a case's 舆情等级 by hand (lowering it: only they, with a reason)
ACCOUNTABILITY_WRITERS = WRITERS | {access.AUDITOR}
ACCOUNTABILITY_READERS = LEADERS | OFFICE_HEADS | {access.AUDITOR}


@dataclass(frozen=True)
class Rule:
    label: str  # the action's name on buttons and in the timeline
    roles: frozenset[str]
    needs_reason: bool = False
    system: bool = False  # the system itself (no user) may make this move: the restart, the ``auto`` moves
    precondition: str = ""  # a key of services.case.PRECONDITIONS
    department: bool = False  # the case's own 事发科室 (head/handler) may make it too
    # A move that only records what already happened: the system makes it (``services.follow``) when the
    # service that records the fact runs, and nobody presses a button for it. Says what that fact is.
    auto: str = ""
    # A person's decision made by a form of the case page (not a bare move button): names that form.
    via: str = ""


NOBODY: frozenset[str] = frozenset()


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (cv.NEW, cv.NOTIFIED): Rule(
        "通报事发科室",
        OFFICE | LEADERS,
        precondition="verification_assigned",
        via="通报事发科室并布置核实任务",
    ),
    (cv.NEW, cv.CLOSED): Rule("不予立案（误报/无需处置）", OFFICE_HEADS | LEADERS, needs_reason=True),
    (cv.NOTIFIED, cv.VERIFYING): Rule(
        "开始核实",
        NOBODY,
        system=True,
        precondition="verification_assigned",
        auto="事发科室打开或提交核实任务时",
    ),
    (cv.VERIFYING, cv.REPORTED): Rule(
        "报告核实情况",
        NOBODY,
        system=True,
        precondition="verified_and_reported",
        auto="核实结果已提交且首次报告已签发（或已口头报告）时",
    ),
    (cv.REPORTED, cv.PLAN_PENDING): Rule(
        "应对方案报批", NOBODY, system=True, precondition="plan_submitted", auto="应对方案报批时"
    ),
    (cv.PLAN_PENDING, cv.RESPONDING): Rule(
        "批准并启动应急响应",
        NOBODY,
        system=True,
        precondition="plan_approved",
        auto="组长/副组长批准应对方案时（批准即启动方案中的措施）",
    ),
    (cv.RESPONDING, cv.TRACKING): Rule("处置完毕，转入后期跟踪", OFFICE | LEADERS, precondition="handled"),
    (cv.TRACKING, cv.RESPONDING): Rule("重新启动", OFFICE | LEADERS, needs_reason=True, system=True),
    (cv.TRACKING, cv.EVALUATING): Rule("结束跟踪，开展评估", OFFICE | LEADERS),
    (cv.EVALUATING, cv.CLOSED): Rule(
        "结案", LEADERS | {access.OFFICE_DIRECTOR}, precondition="evaluation_submitted"
    ),
    (cv.CLOSED, cv.RESPONDING): Rule("重新启动", LEADERS | OFFICE_HEADS, needs_reason=True, system=True),
}


def next_states(state: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == state]


def path_between(start: str, goal: str) -> list[str] | None:
    """The shortest chain of allowed moves from ``start`` to ``goal`` (excluding ``start``), or None."""
    seen = {start}
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    while queue:
        state, path = queue.popleft()
        for nxt in next_states(state):
            if nxt == goal:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, nxt]))
    return None


def refusal_for_unknown(start: str, goal: str) -> str:
    """Why (start → goal) is not a move at all, in words a user can act on."""
    if goal not in cv.STATES:
        return f"没有「{goal}」这个状态；可用状态：{'、'.join(cv.STATES)}"
    if start == goal:
        return f"案件已处于「{cv.STATES[goal]}」状态"
    path = path_between(start, goal)
    names = "、".join(f"「{cv.STATES[s]}」" for s in next_states(start)) or "无"
    if path and len(path) > 1:
        via = "、".join(f"「{cv.STATES[s]}」" for s in path[:-1])
        return (
            f"不能从「{cv.STATES[start]}」直接转为「{cv.STATES[goal]}」：须依次经过 {via}。"
            f"当前可转入：{names}"
        )
    return f"「{cv.STATES[start]}」状态的案件不能转为「{cv.STATES[goal]}」。当前可转入：{names}"
