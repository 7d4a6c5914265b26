"""Hostile push payloads over real HTTP (the live server on loopback): never a 500, every refusal names its
field, and every valid item beside them is stored exactly once — on SQLite and on PostgreSQL.

The triggers are the ones the fuzz run of issue 9 found (91 answers of 500 out of 2,217 payloads). The JSON
is written by hand because Python's encoder cannot produce most of them (lone surrogate escapes, numbers
beyond the int-string limit, 50,000 levels of nesting, bytes that are not UTF-8).
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from yuqing.items.models import Item
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

BIG = "9223372036854775808"  # 2**63: beyond any 64-bit integer column
HUGE = "7" * 5000  # beyond Python 3.11's 4,300-digit int-string conversion limit


def push_raw(live_server: Any, token: str, body: bytes) -> tuple[int, dict[str, str], Any]:
    """POST ``body`` as is to the push API of the live server; (status, headers, parsed JSON body)."""
    parts = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request(
            "POST",
            "/api/v1/ingest",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = data.decode("utf-8", "replace")
    return response.status, headers, parsed


def valid(n: int, **extra: Any) -> str:
    """One valid item as JSON text."""
    record = {
        "url": f"https://bbs.example.cn/thread/{n}",
        "title": f"铁门关办税大厅第{n}号窗口排队时间长",
        "content": f"网友反映第{n}号窗口办理发票业务要排两个小时，希望增加窗口。",
        "source": "铁门关论坛",
        "media_type": "forum",
    }
    record.update(extra)
    return json.dumps(record, ensure_ascii=False)


def item_with(n: int, **raw_fields: str) -> str:
    """An otherwise valid item whose ``raw_fields`` are spliced in as raw JSON text."""
    text = valid(n)[:-1]
    for key, raw in raw_fields.items():
        text += f', "{key}": {raw}'
    return text + "}"


def item_replacing(n: int, field: str, raw: str) -> str:
    """A valid item whose ``field`` is replaced by the raw JSON text ``raw``."""
    record = json.loads(valid(n))
    del record[field]
    text = json.dumps(record, ensure_ascii=False)[:-1]
    return f'{text}, "{field}": {raw}' + "}"


# (what, JSON text of one item, the field its refusal must name)
REFUSED = [
    ("a lone surrogate in the title", item_replacing(101, "title", '"\\ud800 标题"'), "title"),
    ("a lone surrogate in the content", item_replacing(102, "content", '"正文\\udfff"'), "content"),
    ("a lone surrogate in the url", item_replacing(103, "url", '"https://bbs.example.cn/\\ud83d"'), "url"),
    ("reposts of 2**63", item_with(104, reposts=BIG), "reposts"),
    ("views of 1e300", item_with(105, views="1e300"), "views"),
    ("likes of 5,000 digits", item_with(106, likes=HUGE), "likes"),
    ("comments of 5,000 digits as text", item_with(107, comments=f'"{HUGE}"'), "comments"),
    ("views of 2**63 as text", item_with(108, views=f'"{BIG}"'), "views"),
    ("negative 5,000 digits", item_with(109, reposts=f"-{HUGE}"), "reposts"),
    ("likes one above the maximum of 10**12", item_with(110, likes="1000000000001"), "likes"),
    ("views of 1.5万亿 as text", item_with(111, views='"15000亿"'), "views"),
]

# (what, JSON text of one item, check on the stored item)
ACCEPTED = [
    (
        "a NUL in the title and in an extra field",
        item_replacing(201, "title", '"标题\\u0000含空字符"')[:-1] + ', "备注": "a\\u0000b"}',
        lambda item: item.title == "标题含空字符" and "\x00" not in json.dumps(item.raw),
    ),
    (
        "a NUL in the content and the author",
        item_with(202, author='"张\\u0000三"')[:-1] + ', "x": {"y": ["\\u0000"]}}',
        lambda item: item.author == "张三" and "\\u0000" not in json.dumps(item.raw),
    ),
    (
        "a lone surrogate in a field the system does not read",
        item_with(203, remark='"\\ud800 备注"'),
        lambda item: item.raw["remark"] == "\ufffd 备注",
    ),
    (
        "views of 30亿 (written as the documented form)",
        item_with(204, views='"30亿"'),
        lambda item: item.views == 3_000_000_000,
    ),
    (
        "reposts of 2**31 and likes of the maximum, 10**12",
        item_with(205, reposts="2147483648", likes="1000000000000", comments='"1万亿"'),
        lambda item: (item.reposts, item.likes, item.comments) == (2**31, 10**12, 10**12),
    ),
    (
        "a 5,000-digit number in a field the system does not read",
        item_with(206, extra=HUGE),
        lambda item: item.raw["extra"] == HUGE,
    ),
    (
        "an extra field nested 200 levels deep",
        item_with(207, deep="[" * 200 + "]" * 200),
        lambda item: Item.objects.filter(id=item.id).exists(),
    ),
]


def batch(*items: str) -> bytes:
    return ("[" + ", ".join(items) + "]").encode("utf-8")


def url(n: int) -> str:
    return f"https://bbs.example.cn/thread/{n}"


@pytest.mark.parametrize(("what", "hostile", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_hostile_item_is_refused_naming_its_field_and_its_neighbours_are_stored(
    live_server, api_token, what, hostile, field
):
    status, _headers, body = push_raw(live_server, api_token, batch(valid(1), hostile, valid(2)))
    assert status == 422, (what, body)
    statuses = [row["status"] for row in body["items"]]
    assert statuses == ["created", "rejected", "created"], body
    assert body["items"][1]["errors"][0]["field"] == field, body["items"][1]
    assert sorted(Item.objects.values_list("url", flat=True)) == [
        "https://bbs.example.cn/thread/1",
        "https://bbs.example.cn/thread/2",
    ]


@pytest.mark.parametrize(("what", "item", "check"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_a_storable_oddity_is_stored_cleaned_with_its_neighbours(live_server, api_token, what, item, check):
    status, _headers, body = push_raw(live_server, api_token, batch(valid(1), item, valid(2)))
    assert status == 202, (what, body)
    assert [row["status"] for row in body["items"]] == ["created"] * 3, body
    stored = Item.objects.get(id=body["items"][1]["id"])
    assert check(stored), (what, stored.title, stored.raw)
    assert Item.objects.count() == 3


def test_a_mixed_batch_keeps_every_valid_item_exactly_once_and_a_repush_adds_nothing(
    live_server: Any, api_token: str
) -> None:
    """The issue's acceptance test: hostile payloads mixed with valid items, pushed twice."""
    items: list[str] = []
    expected: dict[int, str] = {}  # index → "created" | "rejected"
    refused_fields: dict[int, str] = {}
    n = 1000
    for _what, hostile, field in REFUSED:
        items.append(valid(n := n + 1))
        expected[len(items) - 1] = "created"
        items.append(hostile)
        expected[len(items) - 1] = "rejected"
        refused_fields[len(items) - 1] = field
    for _what, oddity, _check in ACCEPTED:
        items.append(oddity)
        expected[len(items) - 1] = "created"
        items.append(valid(n := n + 1))
        expected[len(items) - 1] = "created"
    kept_urls = [url(n) for n in range(1001, n + 1)] + [url(200 + k) for k in range(1, len(ACCEPTED) + 1)]

    status, _headers, body = push_raw(live_server, api_token, batch(*items))
    assert status == 422, body
    assert {i: row["status"] for i, row in enumerate(body["items"])} == expected
    for index, field in refused_fields.items():
        assert body["items"][index]["errors"][0]["field"] == field
    assert body["created"] == len(kept_urls)
    stored = list(Item.objects.values_list("url", flat=True))
    assert sorted(stored) == sorted(kept_urls)  # each once: the list would show a second copy

    status, _headers, again = push_raw(live_server, api_token, batch(*items))
    assert status == 422, again
    assert again["created"] == 0
    assert again["duplicates"] == len(kept_urls)
    assert sorted(Item.objects.values_list("url", flat=True)) == sorted(kept_urls)


def test_a_batch_naming_two_sources_is_stored_whole_when_one_of_them_holds_a_hostile_item(
    live_server, api_token
):
    first = [valid(1, source="甲论坛"), valid(2, source="甲论坛")]
    second = [
        valid(3, source="乙论坛"),
        item_replacing(4, "url", '"https://bbs.example.cn/\\udc00"').replace("铁门关论坛", "乙论坛"),
        valid(5, source="乙论坛"),
    ]
    status, _headers, body = push_raw(live_server, api_token, batch(*first, *second))
    assert status == 422, body
    assert [row["status"] for row in body["items"]] == [
        "created",
        "created",
        "created",
        "rejected",
        "created",
    ]
    assert body["items"][3]["errors"][0]["field"] == "url"
    assert sorted(Item.objects.values_list("url", flat=True)) == [
        f"https://bbs.example.cn/thread/{n}" for n in (1, 2, 3, 5)
    ]


BAD_BODIES = [
    ("50,000 levels of nested arrays", b"[" * 50_000 + b"]" * 50_000, "嵌套"),
    ("an item nested 50,000 levels", b'[{"url": ' + b"[" * 50_000 + b"]" * 50_000 + b"}]", "嵌套"),
    ("bytes that are not UTF-8", '[{"title": "税务"}]'.encode("gbk"), "UTF-8"),
    ("a lone continuation byte", b'[{"title": "\x80"}]', "UTF-8"),
    ("a 5,000-digit number instead of a list", HUGE.encode(), "JSON 数组"),
    ("nothing at all", b"", "JSON"),
]


@pytest.mark.parametrize(("what", "body", "says"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_body_that_is_not_a_json_list_is_a_400_that_says_why(live_server, api_token, what, body, says):
    status, _headers, answer = push_raw(live_server, api_token, body)
    assert status == 400, (what, answer)
    assert says in answer["detail"], answer
    assert not Item.objects.exists()


def test_pushing_never_creates_a_source_per_name(live_server, api_token):
    names = [f"来源{i}" for i in range(30)]
    items = [valid(i, source=name) for i, name in enumerate(names)]
    before = Source.objects.count()
    status, _headers, body = push_raw(live_server, api_token, batch(*items))
    assert status == 202, body
    assert Source.objects.count() == before + 1  # the token's user's push source, once
    assert sorted(Item.objects.values_list("origin", flat=True)) == sorted(names)
