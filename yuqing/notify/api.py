"""通知渠道 API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["通知渠道"])
