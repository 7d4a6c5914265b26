"""信息发布 API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["信息发布"])
