"""Send messages to people through the enabled channels (in-app for now)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from yuqing.notify.channels.base import DeliveryError, Message
from yuqing.notify.channels.inapp import InAppChannel
from yuqing.notify.models import Notification

logger = logging.getLogger(__name__)
CHANNELS = (InAppChannel(),)


def notify(recipients: Iterable[Any], message: Message) -> int:
    """Deliver to every recipient on every channel; a failing channel is logged, never fatal."""
    sent = 0
    for user in recipients:
        for channel in CHANNELS:
            try:
                channel.send(user, message)
                sent += 1
            except DeliveryError as exc:
                logger.warning("delivery via %s to %s failed: %s", channel.kind, user, exc)
    return sent


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return qs.update(read_at=timezone.now())
