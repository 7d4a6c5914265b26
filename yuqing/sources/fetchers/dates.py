"""Publication times as Chinese sites, feeds and export files write them → aware datetimes.

Naive times are Beijing time (Asia/Shanghai): that is what a Chinese page or export means when it
writes "2024-05-01 12:00".
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_ABSOLUTE = re.compile(
    r"""^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?
    (?:\s*[T\s]\s*(?P<ampm>上午|下午|晚上)?\s*
       (?P<H>\d{1,2})\s*[:：时點点]\s*(?P<M>\d{1,2})?\s*(?:[:：分]\s*(?P<S>\d{1,2}(?:\.\d+)?)?\s*秒?)?)?
    \s*(?P<tz>Z|UTC|GMT|CST|[+-]\d{2}:?\d{2})?$""",
    re.X | re.I,
)
_NO_YEAR = re.compile(
    r"^(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?(?:\s+(?P<H>\d{1,2})[:：](?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_AGO = re.compile(r"^(?P<n>\d+)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期)前$")
_DAY_WORD = re.compile(r"^(?P<word>今天|昨天|前天)\s*(?:(?P<H>\d{1,2})[:：](?P<M>\d{2})(?::(?P<S>\d{2}))?)?$")
# On Chinese sites "CST" is China Standard Time; email.utils would read it as US Central (UTC-6).
_CST_SUFFIX = re.compile(r"\s+CST$", re.I)
# Java's Date.toString() and Weibo's API: "Tue May 07 10:00:00 CST 2024".
_JAVA_DATE = re.compile(
    r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}:\d{2}:\d{2})\s+(\S+)\s+(\d{4})$"
)
_UNITS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600, "天": 86400, "日": 86400, "周": 604800}
_UNITS["星期"] = 604800
_DAY_OFFSETS = {"今天": 0, "昨天": 1, "前天": 2}


def aware(value: datetime) -> datetime:
    """``value`` with a timezone: naive means Beijing time."""
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def from_epoch(number: float) -> datetime:
    """Epoch seconds, or milliseconds when the number is too large to be seconds (13 digits)."""
    if number < 0:
        raise ValueError("negative epoch")
    if number >= 1e11:  # seconds would be past the year 5000; these are milliseconds
        number /= 1000
    if number >= 1e11:
        raise ValueError("epoch out of range")
    return datetime.fromtimestamp(number, tz=UTC)


def _tz(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    if text.upper() == "CST":
        return SHANGHAI
    return datetime.strptime(text.replace(":", ""), "%z").tzinfo


def _parse_absolute(text: str) -> datetime | None:
    match = _ABSOLUTE.match(text)
    if not match:
        return None
    hour = int(match["H"] or 0)
    if match["ampm"] in ("下午", "晚上") and hour < 12:
        hour += 12
    seconds = float(match["S"] or 0)
    value = datetime(
        int(match["y"]), int(match["m"]), int(match["d"]), hour, int(match["M"] or 0), int(seconds)
    )
    tz = _tz(match["tz"])
    return value.replace(tzinfo=tz) if tz else aware(value)


def _parse_relative(text: str, now: datetime) -> datetime | None:
    local_now = now.astimezone(SHANGHAI)
    if text in ("刚刚", "刚才", "just now"):
        return local_now
    if match := _AGO.match(text):
        return local_now - timedelta(seconds=int(match["n"]) * _UNITS[match["unit"]])
    if match := _DAY_WORD.match(text):
        day = local_now - timedelta(days=_DAY_OFFSETS[match["word"]])
        return day.replace(
            hour=int(match["H"] or 0), minute=int(match["M"] or 0), second=int(match["S"] or 0), microsecond=0
        )
    if match := _NO_YEAR.match(text):
        value = datetime(
            local_now.year,
            int(match["m"]),
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
            int(match["S"] or 0),
            tzinfo=SHANGHAI,
        )
        if value > local_now + timedelta(days=1):  # "12-30 08:00" read on 2 January is last year's
            value = value.replace(year=value.year - 1)
        return value
    return None


def _rfc822(text: str) -> str:
    """RFC 822 text for email.utils, with the Java/Weibo layout reordered and CST made +0800."""
    if match := _JAVA_DATE.match(text):
        month, day, clock, zone, year = match.groups()
        text = f"{day} {month} {year} {clock} {zone}"
    return _CST_SUFFIX.sub(" +0800", text)


def parse_datetime(value: object, *, now: datetime | None = None) -> datetime | None:
    """An aware datetime from what a source wrote; None for empty values; ValueError if unreadable.

    Accepts datetimes; epoch seconds or milliseconds (numbers or digit strings); ISO 8601;
    "2024-05-01 12:00[:00]", "2024/5/1 12:00", "2024.05.01", "2024年5月1日 12:00", "2024年5月1日 下午3点30分";
    RFC 822 ("Wed, 01 May 2024 12:00:00 +0800"); Java/Weibo style ("Tue May 07 10:00:00 CST 2024",
    "Tue May 07 10:00:00 +0800 2024") — "CST" is read as China Standard Time; the relative forms social
    sites show — "刚刚",
    "5分钟前", "3小时前", "昨天 18:30", "05-01 12:00" (this year, or last year if that is in the future).
    ``now`` anchors relative forms (default: the current time).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, bool):
        raise ValueError("boolean is not a time")
    if isinstance(value, int | float):
        return from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        return from_epoch(float(text))
    try:
        return aware(datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        pass
    parsed = _parse_absolute(text)
    if parsed is None:
        parsed = _parse_relative(text, now or datetime.now(UTC))
    if parsed is None and re.search(r"[A-Za-z]{3}", text):
        try:
            parsed = aware(email.utils.parsedate_to_datetime(_rfc822(text)))
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        raise ValueError(f"unrecognised time: {text[:50]}")
    return parsed
