"""The items API's output schemas."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class SourceRef(Schema):
    id: int
    name: str


class ItemOut(Schema):
    id: int
    url: str
    canonical_url: str
    title: str
    content: str
    author: str
    published_at: datetime
    fetched_at: datetime
    media_type: str
    host: str
    source: SourceRef
    origin: str  # the source the record reported (pushed items belong to the pusher's source)
    engagement: dict[str, int]
    duplicate_of: int | None
    is_demo: bool

    @staticmethod
    def resolve_duplicate_of(obj) -> int | None:
        return obj.duplicate_of_id


class ItemPage(Schema):
    items: list[ItemOut]
    count: int
    count_capped: bool = False
    page: int
    # The synonyms searched besides the words of q (个税 → 个人所得税), as the results page shows them.
    expansions: list[str] = []
