"""Who may open which route: how to declare what the route × role matrix test checks.

``tests/test_permission_matrix.py`` walks every URL pattern of the project (pages, the ninja API under
``/api/v1/``, the admin) and requests each one as each persona (anonymous, a user without a role, an
office member, the office director, the working group's leader and a member, a department head and a
handler, a commentator, an auditor, the system administrator). A route nobody declared fails the test.

Declaring your app's routes
---------------------------
Add ``yuqing/<app>/tests/routes.py`` exporting ``ROUTES``, keyed by the URL name with its namespace
(``"cases:detail"``; the API's routes are ``"api:<operation function name>"``)::

    from yuqing.testing.routes import LOGGED_IN, RouteSpec
    from yuqing.org import access

    def a_case() -> int:
        '''Called inside the test's transaction: create what the URL needs, return the kwarg.'''
        from yuqing.cases.services import case_open
        return case_open(...).id

    ROUTES: dict[str, RouteSpec] = {
        "cases:list": {"allow": access.FEED_READERS},
        "cases:detail": {"allow": access.FEED_READERS, "kwargs": {"case_id": a_case}},
        "cases:transition": {"allow": access.OFFICE, "kwargs": {"case_id": a_case}, "method": "post"},
        "api:case_index": {"allow": LOGGED_IN},
    }

Keys of a :class:`RouteSpec`:

``allow`` (required)
    A set of role names from :mod:`yuqing.org.access` (the user must hold one), or one of the markers
    :data:`PUBLIC` (anyone, anonymous too), :data:`LOGGED_IN` (any logged-in user), :data:`STAFF`
    (Django's ``is_staff``: the admin).
``kwargs``
    The URL's keyword arguments: a literal, or a function of no arguments returning one (called once per
    test, in the test database: create the object there).
``method``
    ``"get"`` (default) or ``"post"``, ``"put"``, ``"patch"``, ``"delete"``. For an API route give the
    operation's method: two operations on one path have two names (``api:case_index`` / ``api:case_create``).
``data``
    The body sent (form fields for pages, JSON for the API). An empty body is fine for a permission check:
    a refused request must be refused before the body is read, an allowed one may answer 400/422.
``expect``
    For an allowed request, a status other than 401/403/404/405 is expected; set ``expect`` when the right
    answer is one of those (the API root answers 404 to everyone).

A refused request answers 403 when logged in; anonymously a page redirects to the login page and the API
answers 401; the admin sends both to its own login page.
"""

from __future__ import annotations

from typing import Final, NotRequired, TypedDict

PUBLIC: Final = "public"
LOGGED_IN: Final = "logged_in"
STAFF: Final = "staff"


class RouteSpec(TypedDict):
    allow: frozenset[str] | str
    kwargs: NotRequired[dict[str, object]]
    method: NotRequired[str]
    data: NotRequired[dict[str, object] | list[object]]
    expect: NotRequired[int]
