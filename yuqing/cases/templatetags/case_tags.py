from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` — a dict lookup with a variable key ("" when absent)."""
    if mapping is None:
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def err(refusal: Any, field: str) -> str:
    """The message for ``field`` of a refusal (a ProcedureError) or ""."""
    errors = getattr(refusal, "errors", None) or {}
    return errors.get(field, "")
