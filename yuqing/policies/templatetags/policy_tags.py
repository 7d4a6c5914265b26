"""``{% policy_suggestions event %}``: the policies a clarification of a misreading event could cite."""

from __future__ import annotations

from typing import Any

from django import template

from yuqing.policies import selectors

register = template.Library()


@register.inclusion_tag("policies/_suggestions.html")
def policy_suggestions(event: Any, limit: int = 5) -> dict[str, Any]:
    applies = selectors.event_is_misreading(event)
    return {
        "applies": applies,
        "suggestions": selectors.event_policy_suggestions(event, limit=limit) if applies else [],
    }
