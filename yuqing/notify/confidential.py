"""What a message about a confidential case (密级 above 内部) may say, to whom, when it is sent and read.

A message is *about a case* when it carries the case's id (``Message.case_id``) or links into it
(``/cases/<id>/…``, or a release of the case ``/releases/<id>/…``). Its title and body name the case, so:

* when it is created, each recipient whose clearance (:func:`yuqing.org.clearance.clearances`) is below
  the case's level gets a redacted copy — ``【核实任务】[秘密] 案件 #12 有新的通知`` and a body saying what
  clearance the content needs — in the bell and on every personal channel; group channels (bots,
  webhooks) count as the lowest clearance, since anyone in the group reads them;
* when it is pushed (possibly hours later, on a retry) and when it is shown, the same test is made again
  against the reader's clearance and the case's level *at that moment*, so raising a case's level or
  taking a role away also hides what was already stored.

The redacted text keeps the leading 【…】 tag (what kind of message it is), the case number and the
link: the person learns that something needs them and where, not what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from yuqing.notify.channels.base import Message
from yuqing.org.clearance import TOP_LEVEL, case_levels, level_name, restricted_notice

CASE_LINK = re.compile(r"^/cases/(\d+)(?:/|$)")
RELEASE_LINK = re.compile(r"^/releases/(\d+)(?:/|$)")
TAG = re.compile(r"^【[^】]{1,8}】")
GROUP_CLEARANCE = 0  # a group channel is read by whoever is in the group


def case_of(message: Message) -> int | None:
    """The case ``message`` is about: its ``case_id``, else the case its link points into."""
    if message.case_id:
        return int(message.case_id)
    link = message.link or ""
    match = CASE_LINK.match(link)
    if match:
        return int(match.group(1))
    match = RELEASE_LINK.match(link)
    if match:
        from django.apps import apps

        release = apps.get_model("releases", "Release")
        return release.objects.filter(pk=int(match.group(1))).values_list("case_id", flat=True).first()
    return None


def case_level(case_id: int | None) -> int:
    """The case's confidentiality level now; the top level when the case no longer exists."""
    if case_id is None:
        return 0
    return case_levels([case_id]).get(case_id, TOP_LEVEL)


def redacted_title(title: str, case_id: int, level: int) -> str:
    match = TAG.match(title or "")
    tag = match.group(0) if match else ""
    return f"{tag}[{level_name(level)}] 案件 #{case_id} 有新的通知"


def redacted_body(level: int) -> str:
    return f"{restricted_notice(level)}：此处不显示案件名称和内容，请登录系统或向舆情应急办了解。"


def redacted(message: Message, *, case_id: int, level: int) -> Message:
    """``message`` with the case's name and content taken out (idempotent)."""
    return replace(message, title=redacted_title(message.title, case_id, level), body=redacted_body(level))


def for_clearance(message: Message, *, case_id: int | None, level: int, clearance: int) -> Message:
    """``message`` as a reader cleared up to ``clearance`` may receive it."""
    if case_id is None or clearance >= level:
        return message
    return redacted(message, case_id=case_id, level=level)


def redact_rows(rows: Iterable[Any], *, clearance: int) -> list[Any]:
    """Stored notifications or deliveries (``title``, ``body``, ``case_id``) as a reader cleared up to
    ``clearance`` may see them now: rows about a case above that clearance get the redacted text, in
    memory only. One query for the cases' levels (none when no row is about a case)."""
    rows = list(rows)
    levels = case_levels(r.case_id for r in rows if r.case_id)
    for row in rows:
        if not row.case_id:
            continue
        level = levels.get(row.case_id, TOP_LEVEL)
        if clearance < level:
            row.title = redacted_title(row.title, row.case_id, level)
            row.body = redacted_body(level)
            row.redacted = True
    return rows
