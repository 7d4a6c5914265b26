"""Outbound channels, one module each; importing this package registers them all."""

from __future__ import annotations

from yuqing.notify.channels import dingtalk, email, inapp, sms, webhook, wecom
from yuqing.notify.channels.base import REGISTRY, Channel

__all__ = ["REGISTRY", "channel_class", "dingtalk", "email", "inapp", "sms", "webhook", "wecom"]


def channel_class(kind: str) -> type[Channel]:
    return REGISTRY[kind]
