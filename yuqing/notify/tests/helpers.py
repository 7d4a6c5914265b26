"""Small builders shared by the notify tests."""

from __future__ import annotations

from typing import Any

from yuqing.notify.models import ChannelConfig


def make_channel(kind: str, name: str = "", *, min_level: str = "general", **settings: Any) -> ChannelConfig:
    """A channel saved the way the admin saves one: validated first."""
    config = ChannelConfig(kind=kind, name=name or kind, settings=settings, min_level=min_level)
    config.full_clean()
    config.save()
    return config
