"""SMS through the bureau's gateway, described by an HTTP template: ``url``, ``method``, ``body_template``
with ``{phone}`` and ``{text}`` placeholders. Values are escaped for where they land: URL-encoded in the
URL and in form bodies, JSON-escaped in JSON bodies."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_plus

from yuqing.notify.channels import http
from yuqing.notify.channels.base import (
    Channel,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    check_keys,
    check_str,
    check_url,
    register,
)

PLACEHOLDERS = ("{phone}", "{text}")
KEYS = {"url", "method", "body_template", "content_type", "headers", "success_keyword", "max_chars"}


def fill(template: str, values: dict[str, str], escape: Any) -> str:
    """Replace the placeholders only; other braces (a JSON template's) stay as they are."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", escape(value))
    return template


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


@register
class SmsChannel(Channel):
    kind = "sms"
    label = "短信网关"

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        errors = super().validate(settings)
        if errors:
            return errors
        errors = check_keys(settings, KEYS) + check_url(settings)
        errors += check_str(settings, "method", choices=("GET", "POST", "PUT"))
        errors += check_str(settings, "body_template") + check_str(settings, "content_type")
        errors += check_str(settings, "success_keyword")
        headers = settings.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            errors.append('headers：须为 {"名称": "值"} 形式的 JSON 对象')
        max_chars = settings.get("max_chars", 200)
        if not isinstance(max_chars, int) or isinstance(max_chars, bool) or not 20 <= max_chars <= 1000:
            errors.append("max_chars：须为 20 到 1000 之间的整数")
        template = str(settings.get("url", "")) + str(settings.get("body_template", ""))
        if not errors and "{phone}" not in template:
            errors.append("body_template：url 或 body_template 中须含 {phone} 占位符")
        if not errors and "{text}" not in template:
            errors.append("body_template：url 或 body_template 中须含 {text} 占位符")
        if settings.get("method") == "GET" and settings.get("body_template"):
            errors.append("body_template：GET 请求不带请求体，请把占位符写在 url 里，或改用 POST")
        return errors

    def address(self, recipient: Any) -> str:
        person = getattr(recipient, "person", None)
        phone = "".join(ch for ch in (getattr(person, "phone", "") or "") if ch.isdigit() or ch == "+")
        if not phone:
            raise PermanentDeliveryError("该用户的人员信息中没有联系电话")
        return phone

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        phone = address or self.address(recipient)
        max_chars = int(self.settings.get("max_chars", 200))
        text = f"{message.title} {http.absolute(message.link)}".strip()[:max_chars]
        values = {"phone": phone, "text": text}
        content_type = self.settings.get("content_type", "application/json")
        body_template = self.settings.get("body_template", "")
        escape = _json_escape if "json" in content_type else quote_plus
        headers = dict(self.settings.get("headers", {}))
        if body_template:
            headers.setdefault("Content-Type", content_type)
        url = fill(self.settings["url"], values, lambda v: quote(v, safe="+"))
        response = http.request(
            self.settings.get("method", "POST"),
            url,
            content=fill(body_template, values, escape).encode(),
            headers=headers,
        )
        keyword = self.settings.get("success_keyword")
        if keyword and keyword not in response.text:
            raise DeliveryError(f"短信网关应答中没有成功标志“{keyword}”：{response.text[:120]}")
        return f"HTTP {response.status_code}"
