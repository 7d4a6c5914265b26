"""One door for a status field (issue 11): a rule table, then check → apply → save → audit, with the
row locked and read again inside the transaction.

A machine is declared once per model::

    MACHINE = StateMachine(
        GuidanceTask,
        {"complete": Move({TaskStatus.OPEN}, TaskStatus.DONE, refusal="任务{label}")},
        audit_prefix="guidance",
    )

and its writers call ``MACHINE.transition(task, "complete", user=user, apply=...)``. Who may act is
checked by ``roles`` (any of them) and/or ``check`` (a function of the locked row and the user that
returns a :class:`~yuqing.core.errors.ServiceError` or None); the state by ``sources``. The refusal's
kind is set where it is raised: ``forbidden`` for the role, ``conflict`` for the state. Pages ask
:meth:`StateMachine.available` which actions to offer instead of comparing statuses.

``Case.state`` keeps its own table (``yuqing.cases.flow``) and writer (``case_transition``), which
follow the same shape and also write a ``CaseTransition`` row.

``core`` imports no domain app (the layer contract), so the two things a move needs from above are wired
in at start-up: the audit writer (``AuditConfig.ready`` → :func:`wire_audit`) and the role lookup
(``OrgConfig.ready`` → :func:`wire_roles`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from yuqing.core.errors import CONFLICT, FORBIDDEN, ServiceError

Check = Callable[[Any, Any], ServiceError | None]
RolesOf = Callable[[Any], set[str]]
RoleLabels = Callable[[Collection[str]], list[str]]


class Unchanged(Exception):
    """Raised by an ``apply`` that finds nothing to change: :meth:`StateMachine.transition` then writes
    nothing (no save, no audit entry) and returns the row as it was."""


class _Wiring:
    audit: Callable[..., Any] | None = None
    roles_of: RolesOf | None = None
    role_labels: RoleLabels | None = None


def wire_audit(record: Callable[..., Any]) -> None:
    """The audit writer every move calls (``yuqing.audit.services.audit_record``)."""
    _Wiring.audit = record


def wire_roles(roles_of: RolesOf, role_labels: RoleLabels) -> None:
    """Who holds which roles, and their Chinese names (``yuqing.org.access``)."""
    _Wiring.roles_of = roles_of
    _Wiring.role_labels = role_labels


def _required(value: Any, what: str) -> Any:
    if value is None:
        raise RuntimeError(f"core.statemachine: {what} is not wired (is its app in INSTALLED_APPS?)")
    return value


@dataclass(frozen=True)
class Move:
    """One action: from any of ``sources`` to ``target``. ``refusal`` is the conflict message when the
    row is in another state (``{label}`` is that state's label; or a function of the row); ``roles``:
    who may (any one of them; empty means no role check here); ``who``: a further rule on the person
    (the task's owner, not the author…), checked before the state; ``check``: any further rule on the
    row, after it."""

    sources: Collection[str]
    target: str
    refusal: str | Callable[[Any], str] = "当前状态为「{label}」，不能办理"
    roles: frozenset[str] = field(default_factory=frozenset)
    who: Check | None = None  # a rule on the person, checked with the roles, before the state
    check: Check | None = None  # a rule on the row, checked after the state
    label: str = ""  # the action's name for the role refusal ("审批应对方案")


class StateMachine:
    def __init__(
        self,
        model: type[models.Model],
        moves: Mapping[str, Move],
        *,
        audit_prefix: str,
        field: str = "status",
        error: type[ServiceError] = ServiceError,
    ) -> None:
        self.model = model
        self.moves = dict(moves)
        self.audit_prefix = audit_prefix
        self.field = field
        self.error = error  # the refusal's class (an app's subclass, which its views already catch)

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.field))

    def label_of(self, obj: Any) -> str:
        getter = getattr(obj, f"get_{self.field}_display", None)
        return str(getter()) if getter else self.state_of(obj)

    def refusal(self, obj: Any, action: str, user: Any) -> ServiceError | None:
        """Why ``user`` may not take ``action`` on ``obj`` now (None when they may). Read-only."""
        move = self.moves[action]
        if move.roles:
            roles_of: RolesOf = _required(_Wiring.roles_of, "the role lookup")
            role_labels: RoleLabels = _required(_Wiring.role_labels, "the role names")
            if not roles_of(user) & move.roles:
                names = "、".join(role_labels(move.roles))
                return self.error(
                    f"{move.label or action}须由{names}办理，您当前没有这些角色", kind=FORBIDDEN
                )
        if move.who is not None:
            refused = move.who(obj, user)
            if refused is not None:
                return refused
        if self.state_of(obj) not in move.sources:
            if callable(move.refusal):
                return self.error(move.refusal(obj), kind=CONFLICT)
            return self.error(move.refusal.format(label=self.label_of(obj)), kind=CONFLICT)
        if move.check is not None:
            return move.check(obj, user)
        return None

    def available(self, obj: Any, user: Any) -> set[str]:
        """The actions ``user`` may take on ``obj`` now."""
        return {action for action in self.moves if self.refusal(obj, action, user) is None}

    def transition(
        self,
        obj: Any,
        action: str,
        *,
        user: Any,
        apply: Callable[[Any], Mapping[str, Any] | None] | None = None,
        then: Callable[[Any], None] | None = None,
        audit_action: str = "",
        audit_old: Mapping[str, Any] | None = None,
        audit_obj: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Take ``action`` on ``obj``: lock its row and read it again (so a page loaded before someone
        else's move is refused, not obeyed), check the rule, set the new state, let ``apply`` change
        the rest of the row (and do what else belongs in the same transaction; what it returns goes
        into the audit entry's ``new``; it may raise :class:`Unchanged`), save, audit
        ``{prefix}.{action}`` (or ``audit_action``) on the row (or on ``audit_obj(row)``, e.g. a record
        ``apply`` created), then run ``then`` (what follows from the move: another object's transition,
        a notification) — all in one transaction (the caller's, when there is one). ``audit_old`` is
        read when the entry is written, so ``apply`` may fill it in. ``obj`` is refreshed; the locked
        row is returned."""
        move = self.moves[action]
        try:
            with transaction.atomic():
                locked = self.model._default_manager.select_for_update().get(pk=obj.pk)
                refusal = self.refusal(locked, action, user)
                if refusal is not None:
                    raise refusal
                old = self.state_of(locked)
                setattr(locked, self.field, move.target)
                extra = dict(apply(locked) or {}) if apply else {}
                locked.save()
                _required(_Wiring.audit, "the audit writer")(
                    actor=user,
                    action=audit_action or f"{self.audit_prefix}.{action}",
                    obj=audit_obj(locked) if audit_obj is not None else locked,
                    old={self.field: old, **(audit_old or {})},
                    new={self.field: str(move.target), **extra},
                )
                if then is not None:
                    then(locked)
        except Unchanged:
            obj.refresh_from_db()
            return obj
        obj.refresh_from_db()
        return locked
