"""Who may open the demo's routes (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.testing.routes import PUBLIC, RouteSpec


def a_demo_feed() -> str:
    from yuqing.demo import feeds

    return feeds.feeds()[0]["slug"]


# The fetcher reads the demo feeds without a session, like any RSS source.
ROUTES: dict[str, RouteSpec] = {"demo:feed": {"allow": PUBLIC, "kwargs": {"slug": a_demo_feed}}}
