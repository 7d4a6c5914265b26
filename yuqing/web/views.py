"""The site's front door: sends each user to the first page they may open. The pages themselves live in
their apps (items, events, notify, sources, cases, …); ``web`` keeps the base templates and shared tags."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from yuqing.org import access

# The first page a user may open, in this order; anyone logged in may read their notifications.
HOME_PAGES = (
    (access.FEED_READERS, "items:list"),
    (access.SOURCE_READERS, "sources:health"),
    (access.AUDIT_READERS, "audit:list"),
    (access.CASE_READERS, "cases:list"),  # department heads and handlers: their verification tasks
    (access.TALENT_POOL, "releases:tasks"),  # commentators' guidance tasks
    (frozenset({access.SECRECY_REVIEWER}), "releases:list"),
    (access.ROSTER_READERS, "org:roster"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    held = access.cached_roles(request.user)
    return redirect(next((url for roles, url in HOME_PAGES if held & roles), "notify:notifications"))
