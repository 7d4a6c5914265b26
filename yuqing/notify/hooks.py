"""What notify does when the apps below it report something (registered in ``NotifyConfig.ready``)."""

from __future__ import annotations

from typing import Any

from yuqing.core.hooks import ON_COMMIT, hook
from yuqing.notify.channels.base import Message
from yuqing.notify.services import notifications_close, notify
from yuqing.org.selectors import login_alert_recipients


@hook("login.locked", when=ON_COMMIT)
def send_login_alerts(*, alerts: list[tuple[str, str, str]]) -> None:
    """Login locks that look like an attack (title, body, link each) go to the administrators and the
    office's heads, once the lock is committed."""
    recipients = login_alert_recipients()
    for title, body, link in alerts:
        notify(recipients, Message(title=title, body=body, link=link))


@hook("case.closed", when=ON_COMMIT, robust=True)
def close_case_tasks(*, case: Any, **_: Any) -> None:
    """A closed case leaves nothing waiting: its notifications (待签发, 待审批, 核实任务…) are closed, after
    the commit that also writes the last of them."""
    notifications_close(case_id=case.pk)
