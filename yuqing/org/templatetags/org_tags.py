"""Template helpers for role checks: ``{% if user|may:"audit" %}`` (one query per request, cached)."""

from __future__ import annotations

from typing import Any

from django import template

from yuqing.org.access import PAGE_ROLES, ROLE_LABELS, cached_roles

register = template.Library()


@register.filter
def may(user: Any, page: str) -> bool:
    """Whether ``user`` may open ``page`` (a key of ``access.PAGE_ROLES``)."""
    return bool(cached_roles(user) & PAGE_ROLES[page])


@register.filter
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
