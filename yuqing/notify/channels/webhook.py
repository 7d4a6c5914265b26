"""A generic JSON webhook. Headers: ``X-Yuqing-Timestamp`` (Unix seconds, also in the body as
``timestamp``, so it is covered by the signature), ``X-Yuqing-Delivery`` (delivery id, for the receiver
to drop repeats) and ``X-Yuqing-Signature: sha256=<hex HMAC-SHA256(secret, body)>``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from yuqing.notify.channels import http
from yuqing.notify.channels.base import Channel, Message, check_keys, check_str, check_url, register


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@register
class WebhookChannel(Channel):
    kind = "webhook"
    label = "通用 Webhook"
    group = True

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        errors = super().validate(settings)
        if errors:
            return errors
        errors = check_keys(settings, {"url", "secret"}) + check_url(settings)
        errors += check_str(settings, "secret", required=True)
        if not errors and len(settings["secret"]) < 16:
            errors.append("secret：至少 16 个字符，接收方用它校验签名")
        return errors

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        timestamp = int(time.time())
        payload = {
            "title": message.title,
            "body": message.body,
            "link": http.absolute(message.link),
            "level": message.level,
            "level_label": message.level_label,
            "alert_id": message.alert_id,
            "delivery_id": message.extra.get("delivery_id"),
            "timestamp": timestamp,
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Yuqing-Timestamp": str(timestamp),
            "X-Yuqing-Delivery": str(message.extra.get("delivery_id", "")),
            "X-Yuqing-Signature": webhook_signature(self.settings["secret"], body),
        }
        response = http.request("POST", self.settings["url"], content=body, headers=headers)
        return f"HTTP {response.status_code}"
