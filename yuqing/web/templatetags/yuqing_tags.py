"""Template helpers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import QueryDict

from yuqing.vocab import MEDIA_TYPES

register = template.Library()


@register.filter
def safe_url(url: str) -> str:
    """Only http(s) links from outside become clickable; anything else (javascript:, data:) becomes '#'."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else "#"


@register.filter
def media_label(code: str) -> str:
    return MEDIA_TYPES.get(code, code)


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@register.simple_tag
def query_with(params: QueryDict, **changes: Any) -> str:
    """The current query string with some parameters replaced (empty values dropped)."""
    merged = {k: v for k, v in params.items() if v}
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"
