"""WeCom (企业微信) group-bot webhook: one text post to the group."""

from __future__ import annotations

from typing import Any

from yuqing.notify.channels import http
from yuqing.notify.channels.base import (
    Channel,
    Message,
    check_keys,
    check_mention,
    check_url,
    mention_all,
    register,
)


@register
class WeComChannel(Channel):
    kind = "wecom"
    label = "企业微信群机器人"
    group = True

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        errors = super().validate(settings)
        if errors:
            return errors
        return (
            check_keys(settings, {"url", "mention_all_from"}) + check_url(settings) + check_mention(settings)
        )

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        text: dict[str, Any] = {"content": message.text(absolute_link=http.absolute(message.link))[:2000]}
        if mention_all(self.settings, message.level):
            text["mentioned_list"] = ["@all"]
        response = http.post_json(self.settings["url"], {"msgtype": "text", "text": text})
        return http.check_bot_answer(response)
