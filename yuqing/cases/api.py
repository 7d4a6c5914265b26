"""应急处置 API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["应急处置"])
