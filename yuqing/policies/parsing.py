"""Reading and checking policy documents from outside: text files, JSONL lines, API and admin input.

The text-file form is the one of ``../shared/seed``: first line the title, second the validity
(全文有效 / 部分有效 / 条款失效 / 失效), third the date, then the full text. 文号 and issuing body are taken
from the input when given, else found in the title and the head of the text (see :func:`find_doc_number`).
Every check says which field is wrong and how, in Chinese; nothing here raises on bad input.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from yuqing.policies.models import Validity

FIELD_LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "issuer": "发文机关",
    "issued_on": "发文日期",
    "validity": "效力",
    "text": "全文",
}
MAX_LENGTHS = {"title": 300, "doc_number": 100, "issuer": 200, "text": 1_000_000}

VALIDITY_BY_LABEL: dict[str, str] = {
    **{str(label): str(value) for value, label in Validity.choices},
    **{str(value): str(value) for value in Validity.values},
    "有效": Validity.VALID,
    "全文失效": Validity.REPEALED,
    "已失效": Validity.REPEALED,
    "全文废止": Validity.REPEALED,
    "废止": Validity.REPEALED,
    "已废止": Validity.REPEALED,
    "部分条款失效": Validity.CLAUSES_REPEALED,
    "部分条款废止": Validity.CLAUSES_REPEALED,
}

# An HTML tag (letters or ! after "<"): never legitimate in a policy text, which uses 《》 for titles.
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>")
_DROP = frozenset({"Cc", "Cf", "Cs", "Co"})
# 文号: issuer abbreviation + year in 〔〕 (or the brackets people type instead) + serial + 号,
# e.g. 税总发〔2018〕123号, 铁税发〔2018〕1号, 财税[2016]36号; and announcements such as
# 国家税务总局公告2018年第31号 or 财政部 税务总局公告2023年第12号.
_DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］)）】]\s*"
    r"(?P<serial>\d{1,5})\s*号"
)
_ANNOUNCEMENT = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{2,30}(?:\s[\u4e00-\u9fff]{2,20})*公告)\s*(?P<year>(?:19|20)\d{2})\s*年\s*第\s*"
    r"(?P<serial>\d{1,4})\s*号"
)
_ISSUER_SUFFIX = re.compile(
    r"(?:税务总局|税务局|财政部|财政厅|财政局|海关总署|人民政府|办公厅|办公室|委员会|总局|部|厅|局|署|院|会)$"
)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
# Scraped pages end with teasers of other articles, cut with "...": not part of the document.
_TEASER = re.compile(r"(\.\.\.|…)\s*$")
HEAD_LINES = 6


@dataclass
class Parsed:
    """One candidate document: its raw fields, the line each came from, and errors found so far."""

    data: dict[str, Any]
    origin: str
    lines: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def plain(value: Any) -> str:
    """``value`` as text without control/format characters and with ``\\n`` line ends."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _DROP)


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", plain(value)).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_validity(value: Any) -> str | None:
    text = unicodedata.normalize("NFKC", plain(value)).strip().replace(" ", "")
    return VALIDITY_BY_LABEL.get(text) or VALIDITY_BY_LABEL.get(text.lower())


def find_doc_number(title: str, text: str) -> str:
    """The document's own 文号: in its title, or on a line of its own near the top of the text.

    Only the head is searched, and only whole lines there, because the body cites other documents'
    numbers (根据《…》（财税〔2016〕36号）) which must not be taken for this one's.
    """
    for m in (_DOC_NUMBER.search(title), _ANNOUNCEMENT.search(title)):
        if m:
            return _format_number(m)
    for line in text.splitlines()[:HEAD_LINES]:
        line = line.strip()
        for pattern in (_DOC_NUMBER, _ANNOUNCEMENT):
            m = pattern.fullmatch(line)
            if m:
                return _format_number(m)
    return ""


def _format_number(m: re.Match[str]) -> str:
    if m.re is _ANNOUNCEMENT:
        return f"{m['prefix']}{m['year']}年第{m['serial']}号"
    return f"{m['prefix']}〔{m['year']}〕{m['serial']}号"


def find_issuer(title: str, text: str) -> str:
    """The issuing body: the part of the title before 关于 when it names a body
    (国家税务总局铁门关税务局关于…), else the signature line just above the closing date, else ""."""
    head = title.split("关于", 1)[0].strip() if "关于" in title else ""
    if head and _ISSUER_SUFFIX.search(head) and len(head) <= MAX_LENGTHS["issuer"]:
        return head
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i in range(len(lines) - 1, max(len(lines) - 4, 0), -1):
        if parse_date(lines[i]) and _ISSUER_SUFFIX.search(lines[i - 1]) and len(lines[i - 1]) <= 60:
            return lines[i - 1]
    return ""


def clean_policy(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one document's fields; returns (clean values, {field: Chinese message}).

    Missing 文号 and issuer are looked for in the title and text. Unknown keys are ignored.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("title", "doc_number", "issuer", "text"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = f"{FIELD_LABELS[name]}（{name}）必须是文本"
            value = ""
        value = plain(value)
        value = value.strip() if name == "text" else " ".join(value.split())
        if len(value) > MAX_LENGTHS[name]:
            errors[name] = (
                f"{FIELD_LABELS[name]}（{name}）超过 {MAX_LENGTHS[name]} 字上限（现 {len(value)} 字）"
            )
        elif _HTML_TAG.search(value):
            errors[name] = f"{FIELD_LABELS[name]}（{name}）含有 HTML 标签（如 <script>），请提交纯文本"
        out[name] = value
    for name in ("title", "text"):
        if not out[name] and name not in errors:
            errors[name] = f"{FIELD_LABELS[name]}（{name}）不能为空"
    issued = parse_date(raw.get("issued_on"))
    if issued is None:
        shown = plain(raw.get("issued_on")).strip()[:40]
        errors["issued_on"] = (
            f"发文日期（issued_on）格式无效：“{shown}”，应为 2018-11-30 或 2018年11月30日"
            if shown
            else "发文日期（issued_on）不能为空"
        )
    out["issued_on"] = issued
    raw_validity = raw.get("validity")
    validity = parse_validity(raw_validity) if raw_validity not in (None, "") else Validity.VALID
    if validity is None:
        allowed = "、".join(str(label) for label in Validity.labels)
        errors["validity"] = f"效力（validity）无效：“{plain(raw_validity)[:40]}”，应为 {allowed} 之一"
    out["validity"] = validity or ""
    if not out["doc_number"] and "doc_number" not in errors:
        out["doc_number"] = find_doc_number(out["title"], out["text"])
    if not out["issuer"] and "issuer" not in errors:
        out["issuer"] = find_issuer(out["title"], out["text"])
    return out, errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB 18030 (which older Chinese files use)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_text_file(content: str, origin: str) -> Parsed:
    """The seed layout: title, validity, date, text. Trailing scraped teasers ("…...") are dropped."""
    lines = plain(content).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    header = [line.strip() for line in lines[:3]]
    body = lines[3:]
    while body and _TEASER.search(body[-1]) and len(body) > 1:
        body.pop()
    parsed = Parsed(
        data={
            "title": header[0] if header else "",
            "validity": header[1] if len(header) > 1 else "",
            "issued_on": header[2] if len(header) > 2 else "",
            "text": "\n".join(body),
        },
        origin=origin,
        lines={"title": 1, "validity": 2, "issued_on": 3, "text": 4, "doc_number": 4, "issuer": 1},
    )
    if len(header) < 3:
        parsed.errors["text"] = "文件不足三行：应为 第1行标题、第2行效力（如 全文有效）、第3行日期、其后全文"
    return parsed


def parse_jsonl(content: str, origin: str) -> Iterator[Parsed]:
    """One document per non-blank line: {title, doc_number, issuer, issued_on, validity, text}."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Parsed(
                data={}, origin=where, errors={"line": f"不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）"}
            )
            continue
        if not isinstance(record, dict):
            yield Parsed(data={}, origin=where, errors={"line": "每行应是一个 JSON 对象"})
            continue
        yield Parsed(data=record, origin=where)
