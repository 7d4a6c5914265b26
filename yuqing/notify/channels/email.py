"""Email through Django's email backend (SMTP from ``YUQING_EMAIL_*``)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from yuqing.notify.channels.base import (
    Channel,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    check_keys,
    check_str,
    register,
)
from yuqing.notify.channels.http import absolute


@register
class EmailChannel(Channel):
    kind = "email"
    label = "电子邮件"

    @classmethod
    def validate(cls, settings: Any) -> list[str]:
        errors = super().validate(settings)
        if errors:
            return errors
        return (
            check_keys(settings, {"subject_prefix", "from"})
            + check_str(settings, "subject_prefix")
            + (check_str(settings, "from"))
        )

    def address(self, recipient: Any) -> str:
        email = (getattr(recipient, "email", "") or "").strip()
        if not email:
            raise PermanentDeliveryError("该用户没有填写电子邮箱")
        return email

    def send(self, recipient: Any, message: Message, *, address: str = "") -> str:
        to = address or self.address(recipient)
        if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST:
            raise PermanentDeliveryError("未配置邮件服务器：请设置 YUQING_EMAIL_HOST（及端口、账号）后重试")
        mail = EmailMessage(
            subject=(self.settings.get("subject_prefix", "") + message.title)[:200],
            body=message.text(absolute_link=absolute(message.link)),
            from_email=self.settings.get("from") or settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"邮件服务器拒收收件人 {to}：{exc.recipients}")
        except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused and timed out
            host = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
            raise DeliveryError(f"邮件服务器 {host} 发送失败（{type(exc).__name__}）：{exc}")
        return f"已交给邮件服务器 {settings.EMAIL_HOST}"
