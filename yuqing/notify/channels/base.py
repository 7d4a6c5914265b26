"""The channel interface. Each channel is one small module with one class; a delivery is one message to
one person (personal channels) or to one group (group bots and webhooks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from yuqing import vocab


@dataclass
class Message:
    title: str
    body: str
    link: str = ""
    level: str = "general"  # a SEVERITIES code: 重大 and above go through quiet hours
    alert_id: int | None = None
    # The case the message is about (or None): decides who may read its title and body; see
    # yuqing.notify.confidential.
    case_id: int | None = None
    # A task the message asks for (``app.model:pk:step``): the owning app closes it when it is done.
    subject: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def level_label(self) -> str:
        return vocab.SEVERITIES.get(self.level, self.level)

    def text(self, *, absolute_link: str = "") -> str:
        """Plain text for bots, SMS and mail: title, body, link."""
        parts = [self.title, self.body, absolute_link or self.link]
        return "\n".join(p for p in parts if p)


class DeliveryError(Exception):
    """The channel could not deliver; ``str(e)`` says why (kept in the delivery log). Retried."""

    retry = True


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (bad configuration, no address): the delivery fails at once."""

    retry = False


class Channel:
    kind: ClassVar[str]
    label: ClassVar[str]
    group: ClassVar[bool] = False

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        """Errors in ``settings``, each naming its key in Chinese-facing text; empty when valid."""
        return [] if isinstance(settings, dict) else ['参数须为 JSON 对象，如 {"url": "…"}']

    def address(self, recipient: Any) -> str:
        """Where ``recipient`` is reached on this channel; raise PermanentDeliveryError if nowhere."""
        return ""

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        """Deliver ``message`` or raise DeliveryError; returns a short summary of the answer."""
        raise NotImplementedError


REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    REGISTRY[cls.kind] = cls
    return cls


# ---- helpers shared by the channel modules -------------------------------------------------------
SECRET_KEYS = frozenset({"secret", "token", "password", "key", "headers"})


def mask_settings(settings: Any) -> dict[str, Any]:
    """A copy safe to log: secrets replaced, query strings of URLs (bot tokens) hidden."""
    if not isinstance(settings, dict):
        return {}
    masked: dict[str, Any] = {}
    for key, value in settings.items():
        if key in SECRET_KEYS and value:
            masked[key] = "***"
        elif key == "url" and isinstance(value, str):
            parts = urlsplit(value)
            masked[key] = urlunsplit(parts._replace(query="***" if parts.query else "", fragment=""))
        else:
            masked[key] = value
    return masked


def check_url(settings: dict[str, Any], key: str = "url", *, required: bool = True) -> list[str]:
    value = settings.get(key)
    if value in (None, "") and not required:
        return []
    if not isinstance(value, str) or not value.strip():
        return [f"{key}：必填，填写完整地址，如 https://…"]
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return [f"{key}：“{value[:80]}”不是 http:// 或 https:// 开头的完整地址"]
    return []


def check_str(
    settings: dict[str, Any], key: str, *, required: bool = False, choices: Any = None
) -> list[str]:
    value = settings.get(key)
    if value is None or value == "":
        return [f"{key}：必填"] if required else []
    if not isinstance(value, str):
        return [f"{key}：须为文本"]
    if choices is not None and value not in choices:
        return [f"{key}：“{value}”无效，可选 {', '.join(choices)}"]
    return []


def check_keys(settings: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = sorted(set(settings) - allowed)
    return [f"{key}：不认识的参数（可用：{', '.join(sorted(allowed))}）" for key in unknown]


def check_mention(settings: dict[str, Any]) -> list[str]:
    return check_str(settings, "mention_all_from", choices=vocab.SEVERITY_ORDER)


def mention_all(settings: dict[str, Any], level: str) -> bool:
    threshold = settings.get("mention_all_from")
    if not threshold or threshold not in vocab.SEVERITY_ORDER or level not in vocab.SEVERITY_ORDER:
        return False
    return vocab.SEVERITY_ORDER.index(level) >= vocab.SEVERITY_ORDER.index(threshold)
