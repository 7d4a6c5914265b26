"""In-app notifications: a row per recipient, shown under the bell."""

from __future__ import annotations

from typing import Any

from yuqing.notify.channels.base import Channel, Message, register
from yuqing.notify.models import Notification


@register
class InAppChannel(Channel):
    kind = "inapp"
    label = "站内通知"

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        row = Notification.objects.create(
            recipient=recipient,
            title=message.title[:300],
            body=message.body,
            link=message.link[:300],
            alert_id=message.alert_id,
            case_id=message.case_id,
            subject=message.subject[:100],
        )
        return f"站内通知 #{row.id}"
