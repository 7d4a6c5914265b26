"""政策库 API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["政策库"])
