"""A busy database is a reason to come back later, never a server error.

SQLite has one write lock for the whole file. A writer that cannot get it within the busy timeout
(``YUQING_SQLITE_BUSY_TIMEOUT``) fails with "database is locked"; PostgreSQL may pick a transaction as a
deadlock victim. Both are transient: the ingest retries them itself, and a request that still meets one
is answered 503 with ``Retry-After`` (the API's exception handler in ``yuqing.api.urls``,
:class:`yuqing.core.middleware.DatabaseBusyMiddleware` for pages).
"""

from __future__ import annotations

import sqlite3

from django.db import OperationalError

RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "数据库正忙（其他写入尚未完成），请稍后重试"
_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy", "deadlock detected")


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database was busy (worth trying again), not that the query was wrong.

    Django wraps the driver's error; the huey queue's SQLite file raises the driver's own.
    """
    if not isinstance(exc, OperationalError | sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return any(busy in text for busy in _BUSY_TEXTS)
