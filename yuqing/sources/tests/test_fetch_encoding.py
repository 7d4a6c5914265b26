"""Charset handling: Chinese text must come out right even when the declarations lie."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from yuqing.sources.fetchers.encoding import (
    decode_feed,
    decode_html,
    decode_text,
    detect_encoding,
    normalize_charset,
    sniff_declared_charset,
)
from yuqing.sources.tests.fixtures import make_client

ARTICLE = "关于增值税专用发票管理有关问题的公告：纳税人应当在规定期限内完成发票查验和抵扣勾选。"
TRADITIONAL = "納稅人可透過手機申報綜合所得稅，國稅局提醒民眾注意截止日期與退稅進度。"


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>公告</title></head><body><p>{text}</p></body></html>"


def test_gbk_page_with_lying_utf8_header_decodes() -> None:
    body = page(ARTICLE).encode("gbk")
    assert decode_html(body, "text/html; charset=utf-8") == page(ARTICLE)


def test_gbk_page_with_latin1_header_and_gb2312_meta_decodes() -> None:
    html = page(ARTICLE, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    assert decode_html(html.encode("gbk"), "text/html; charset=ISO-8859-1") == html


def test_gb18030_only_characters_survive_a_gb2312_declaration() -> None:
    html = page("纳税人刘䶮、王𠀀反映个税App无法录入生僻字姓名", '<meta charset="gb2312">')
    assert decode_html(html.encode("gb18030"), "text/html") == html


def test_big5_page_decodes_with_hkscs_characters() -> None:
    html = page(TRADITIONAL + "香港㗎稅務", '<meta charset="big5">')
    assert decode_html(html.encode("big5hkscs"), "text/html") == html


def test_big5_page_mislabelled_as_gbk_still_decodes() -> None:
    html = page(TRADITIONAL)
    assert decode_html(html.encode("big5"), "text/html; charset=gbk") == html


def test_traditional_characters_in_a_genuine_gbk_page_stay_gbk() -> None:
    html = page("關於發票", '<meta charset="gbk">')
    assert decode_html(html.encode("gbk"), "text/html") == html


def test_utf8_page_with_stale_gb2312_meta_decodes_as_utf8() -> None:
    html = page(ARTICLE, '<meta charset="gb2312">')
    assert decode_html(html.encode("utf-8"), "text/html; charset=gb2312") == html


def test_undeclared_gbk_bytes_are_detected() -> None:
    assert decode_text(ARTICLE.encode("gbk")) == ARTICLE
    assert detect_encoding(ARTICLE.encode("gbk")) == "gb18030"


def test_a_stray_bad_byte_in_a_long_utf8_page_does_not_switch_encodings() -> None:
    body = (ARTICLE * 40).encode("utf-8") + b"\xff" + ARTICLE.encode("utf-8")
    text = decode_html(body, "text/html; charset=utf-8")
    assert text.startswith(ARTICLE * 40)
    assert text.endswith("\ufffd" + ARTICLE)


def test_utf8_bom_wins_over_declarations() -> None:
    assert decode_html(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), "text/html; charset=gbk") == ARTICLE


@pytest.mark.parametrize(
    ("declared", "codec"),
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("Big5", "big5hkscs"),
     ("UTF8", "utf-8"), ("windows-1252", "cp1252"), ("utf-16", None), ("no-such-charset", None), ("", None)],
)  # fmt: skip
def test_charset_names_normalise_to_supersets(declared: str, codec: str | None) -> None:
    assert normalize_charset(declared) == codec


def test_meta_and_xml_declarations_are_sniffed() -> None:
    assert sniff_declared_charset(b'<?xml version="1.0" encoding="GB2312"?><rss/>') == "GB2312"
    assert sniff_declared_charset(b"<html><head><meta charset=gbk></head>") == "gbk"
    padded = (
        b"<!-- " + b"x" * 5000 + b' --><meta content="text/html; charset=big5" http-equiv="Content-Type">'
    )
    assert sniff_declared_charset(padded) == "big5"
    assert sniff_declared_charset(b"<html><body>no declaration</body></html>") is None


def test_decoded_feed_is_utf8_with_a_matching_declaration() -> None:
    feed = '<?xml version="1.0" encoding="gb2312"?><rss><channel><title>发票</title></channel></rss>'
    result = decode_feed(feed.encode("gbk"), "application/rss+xml; charset=utf-8")
    assert (
        result
        == '<?xml version="1.0" encoding="utf-8"?><rss><channel><title>发票</title></channel></rss>'.encode()
    )


def test_gbk_page_over_http_with_lying_header_decodes(httpserver: HTTPServer) -> None:
    html = page(ARTICLE)
    httpserver.expect_request("/gbk.html").respond_with_data(
        html.encode("gbk"), content_type="text/html; charset=utf-8"
    )
    with make_client() as client:
        response = client.get(httpserver.url_for("/gbk.html"), intranet=True)
    assert decode_html(response.body, response.content_type) == html
