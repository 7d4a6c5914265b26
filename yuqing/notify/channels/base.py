"""The channel interface. Each channel is one small module with one class; a delivery is one message to
one person. In-app is built in; email, WeCom, DingTalk, webhooks and SMS plug in here later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Message:
    title: str
    body: str
    link: str = ""
    level: str = "general"  # a SEVERITIES code: channels may let 重大 and above through quiet hours
    alert_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """The channel could not deliver; ``str(e)`` says why (kept in the delivery log)."""


class Channel:
    kind: ClassVar[str]
    label: ClassVar[str]

    def send(self, recipient: Any, message: Message) -> None:
        """Deliver ``message`` to ``recipient`` (a user) or raise DeliveryError."""
        raise NotImplementedError


REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    REGISTRY[cls.kind] = cls
    return cls
