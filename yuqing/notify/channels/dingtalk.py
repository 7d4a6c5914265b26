"""DingTalk (钉钉) group-bot webhook, signed when a secret is set (加签): ``timestamp`` in milliseconds and
``sign`` = urlencode(base64(HMAC-SHA256(secret, "timestamp\\nsecret"))) as query parameters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from yuqing.notify.channels import http
from yuqing.notify.channels.base import (
    Channel,
    Message,
    check_keys,
    check_mention,
    check_str,
    check_url,
    mention_all,
    register,
)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` parameter before URL encoding (httpx encodes query parameters itself)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@register
class DingTalkChannel(Channel):
    kind = "dingtalk"
    label = "钉钉群机器人"
    group = True

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        errors = super().validate(settings)
        if errors:
            return errors
        return (
            check_keys(settings, {"url", "secret", "mention_all_from"})
            + check_url(settings)
            + check_str(settings, "secret")
            + check_mention(settings)
        )

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        payload = {
            "msgtype": "text",
            "text": {"content": message.text(absolute_link=http.absolute(message.link))[:2000]},
            "at": {"isAtAll": mention_all(self.settings, message.level)},
        }
        params = None
        secret = self.settings.get("secret")
        if secret:
            timestamp = int(time.time() * 1000)
            params = {"timestamp": str(timestamp), "sign": dingtalk_sign(secret, timestamp)}
        response = http.post_json(self.settings["url"], payload, params=params)
        return http.check_bot_answer(response)
