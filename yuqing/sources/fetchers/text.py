"""Small text helpers shared by the fetchers: HTML → plain text, sanitised HTML, JSON-safe evidence."""

from __future__ import annotations

import calendar
import html as html_lib
import math
import re
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import lxml.html
import nh3
from lxml import etree

# Block-level elements after which a line break belongs in the plain text.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head")
# C0/C1 controls except tab and newline, DEL, zero-width characters and stray BOMs.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ufff9-\ufffb]")
_LOOKS_LIKE_HTML = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9]*\b[^>]*|!--)>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")

# Remote images are left out on purpose: rendering them would make staff browsers fetch from the
# monitored sites (tracking pixels, intranet address leaks).
SAFE_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img"}


def strip_control(text: str) -> str:
    """Remove control and zero-width characters (keeps ``\\t`` and ``\\n``; ``\\r\\n``/``\\r`` → ``\\n``)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def looks_like_html(text: str) -> bool:
    """Whether ``text`` contains tags or entities (so should go through :func:`html_to_text`)."""
    return bool(_LOOKS_LIKE_HTML.search(text))


def tidy_lines(text: str) -> str:
    """Collapse runs of spaces inside lines, strip each line, drop blank lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in strip_control(text).split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML fragment or page: scripts dropped, one line per block element."""
    if not markup or not markup.strip():
        return ""
    if not looks_like_html(markup):
        return tidy_lines(markup)
    try:
        root = lxml.html.fragment_fromstring(strip_control(markup), create_parent="div")
    except (etree.ParserError, ValueError):
        return tidy_lines(html_lib.unescape(re.sub(r"<[^>]*>", " ", markup)))
    for element in root.iter(*_DROP_TAGS):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return tidy_lines(root.text_content())


def sanitize_html(markup: str) -> str:
    """HTML safe to render in the staff UI (nh3 allow-list, no images, links ``rel="noopener…"``)."""
    if not markup or not markup.strip():
        return ""
    return nh3.clean(markup, tags=set(SAFE_TAGS), link_rel="noopener noreferrer nofollow").strip()


def json_safe(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` that ``json.dumps`` accepts (struct_time/datetime → ISO 8601 text)."""
    if depth > 20:
        return None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(key): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item, depth + 1) for item in value]
    return str(value)
