"""Named hooks: how a lower app tells the apps above it that something happened, without importing them.

The same inversion as the case timeline's ``timeline_provider`` registry, for writes. The app that owns
the fact runs the hook (``run_hooks("alert.raised", alert=alert, now=now)``); the apps that act on it
register a handler in their ``AppConfig.ready()``::

    @hook("alert.raised")                     # runs inside the caller's transaction
    def _open_case(*, alert, now): ...

    @hook("case.opened", when=ON_COMMIT)      # runs once the caller's transaction has committed
    def _tell_someone(*, case, now): ...

``IN_TRANSACTION`` handlers run at once, inside whatever transaction the caller holds (and ``run_hooks``
wraps them in one, so they are atomic with each other even when the caller holds none): an error in
one rolls the caller's writes back with it. ``ON_COMMIT`` handlers are queued with
``transaction.on_commit`` and never undo the caller's writes; ``robust=True`` logs an error in one
instead of raising it (the caller's work is committed either way).

The hooks in use (name — who runs it — who handles it):

- ``alert.raised`` — events (``alerts_evaluate``) — cases opens a case for it (in the transaction).
- ``case.opened`` — cases (``case_open``) — events acknowledges the alert the person opened it from,
  releases sets its release deadlines (both in the transaction).
- ``case.closed`` — cases (``case_transition``) — events settles the event's open alerts (in the transaction).
- ``case.restarted`` — cases (``tracking_check``) — events re-arms the event's alert (in the transaction).
- ``event.severity_raised`` — events (``event_refresh``) — cases raises the event's open cases (in it).
- ``demo.case_responding`` — cases (``cases.demo.demo_load``) — releases adds the demo's releases (in it).
- ``items.stored`` — items (ingest's ``step_hand_over``) — events queues the analysis (on commit, robust).
- ``login.locked`` — org (``login_locks_record``) — notify alerts the administrators (on commit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

IN_TRANSACTION = "in_transaction"
ON_COMMIT = "on_commit"

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Registration:
    name: str
    fn: Handler
    when: str
    robust: bool = False


REGISTRY: dict[str, list[Registration]] = {}


def hook(name: str, *, when: str = IN_TRANSACTION, robust: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function as a handler of hook ``name`` (once, however often imported)."""
    if when not in (IN_TRANSACTION, ON_COMMIT):
        raise ValueError(f"hook {name!r}: when must be IN_TRANSACTION or ON_COMMIT, not {when!r}")
    if robust and when != ON_COMMIT:
        raise ValueError(f"hook {name!r}: only an ON_COMMIT handler can be robust")

    def register(fn: Handler) -> Handler:
        handlers = REGISTRY.setdefault(name, [])
        if not any(r.fn is fn for r in handlers):
            handlers.append(Registration(name, fn, when, robust))
        return fn

    return register


def handlers(name: str) -> list[Registration]:
    return list(REGISTRY.get(name, ()))


def run_hooks(name: str, /, **kwargs: Any) -> list[Any]:
    """Run the handlers of ``name`` with ``kwargs``, in registration order; returns the results of the
    in-transaction handlers (on-commit ones have none yet)."""
    results = []
    with transaction.atomic():
        for registration in handlers(name):
            if registration.when == ON_COMMIT:
                fn = registration.fn
                transaction.on_commit(lambda fn=fn: fn(**kwargs), robust=registration.robust)  # type: ignore[misc]
            else:
                results.append(registration.fn(**kwargs))
    return results
