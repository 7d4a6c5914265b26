"""The ``yuqing`` commands, run in-process through Django's call_command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from yuqing.items.models import Item
from yuqing.org.models import ApiToken, hash_token
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>个税专项附加扣除确认开始</title><link>http://n.example.cn/1</link><description>纳税人可在个税APP确认。</description></item>
</channel></rss>"""


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_source_add_prints_the_new_id_and_list_shows_it():
    new_id = run(
        "source",
        "add",
        "--kind",
        "rss",
        "--url",
        "https://tax.example.cn/rss.xml",
        "--media-type",
        "news_site",
    )
    source = Source.objects.get(id=int(new_id.strip()))
    assert (source.kind, source.media_type, source.intranet) == ("rss", "news_site", False)
    assert "https://tax.example.cn/rss.xml" in run("source", "list")


def test_source_add_refuses_bad_input_with_the_field_named():
    with pytest.raises(CommandError, match="url"):
        run("source", "add", "--kind", "rss", "--url", "ftp://x", "--media-type", "news_site")
    with pytest.raises(CommandError, match="poll_interval"):
        run(
            "source",
            "add",
            "--kind",
            "rss",
            "--url",
            "https://x.cn/r",
            "--media-type",
            "news_site",
            "--interval",
            "5",
        )
    assert Source.objects.count() == 0


def test_poll_once_fetches_synchronously_and_prints_a_summary(httpserver, settings):
    settings.FETCH_MIN_HOST_INTERVAL = 0
    httpserver.expect_request("/rss").respond_with_data(FEED, content_type="application/rss+xml")
    run(
        "source",
        "add",
        "--kind",
        "rss",
        "--url",
        httpserver.url_for("/rss"),
        "--media-type",
        "news_site",
        "--intranet",
        "--name",
        "本机源",
    )
    out = run("poll", "--once")
    assert "本机源: ok，新增 1" in out
    assert "共 1 个源：新增 1" in out
    assert Item.objects.count() == 1


def test_import_reports_new_duplicate_and_rejected_rows_with_line_numbers(tmp_path):
    rows = [
        {
            "url": "https://bbs.example.cn/t/1",
            "title": "发票问题",
            "content": "开票系统登录不上",
            "published_at": "2026-11-20 10:00",
        },
        {"url": "https://bbs.example.cn/t/2", "title": "", "content": ""},
        {"url": "https://bbs.example.cn/t/1", "title": "发票问题", "content": "开票系统登录不上"},
        {
            "url": "https://bbs.example.cn/t/3",
            "title": "退税",
            "content": "退税到账了",
            "published_at": "not a date",
        },
    ]
    path = tmp_path / "export.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken json\n", encoding="utf-8"
    )
    out = run("import", str(path))
    assert "新增 1，重复 1，拒绝 3" in out
    assert "第 2 行" in out and "第 4 行" in out and "第 5 行" in out
    assert Item.objects.count() == 1


def test_import_csv_with_chinese_headers_in_gbk(tmp_path):
    path = tmp_path / "export.csv"
    header = "标题,链接,正文,发布时间,来源\n"
    row = "社保费缴纳咨询,https://a.example.cn/1,灵活就业人员如何缴费,2026-11-01 09:00,某商业系统\n"
    path.write_bytes((header + row).encode("gbk"))
    out = run("import", str(path))
    assert "新增 1" in out
    item = Item.objects.get()
    assert item.title == "社保费缴纳咨询" and item.origin == "某商业系统" and item.source.name == "文件导入"


def test_import_keeps_each_rows_named_source_as_its_origin_and_creates_no_source_per_name(tmp_path):
    rss = Source.objects.create(
        name="铁门关新闻网", kind="rss", url="https://news.example.cn/rss", media_type="news_site"
    )
    rows = [
        {"url": f"https://x.example.cn/{n}", "title": f"个税问题{n}", "content": "个税汇算", "source": name}
        for n, name in enumerate(["铁门关新闻网", "某论坛", "某商业系统", "另一个名字"])
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert "新增 4" in run("import", str(path), "--source", "商业舆情导出")
    assert not rss.items.exists()  # naming the RSS source does not put rows under it
    assert set(Source.objects.values_list("name", flat=True)) == {"铁门关新闻网", "商业舆情导出"}
    assert sorted(Item.objects.values_list("origin", flat=True)) == sorted(r["source"] for r in rows)


def test_import_refuses_to_pass_for_an_existing_feed(tmp_path):
    Source.objects.create(
        name="铁门关新闻网", kind="rss", url="https://news.example.cn/rss", media_type="news_site"
    )
    path = tmp_path / "export.jsonl"
    path.write_text(
        json.dumps({"url": "https://x.example.cn/1", "title": "个税", "content": "个税"}), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="已有的监测源"):
        run("import", str(path), "--source", "铁门关新闻网")
    assert not Item.objects.exists()


def test_import_of_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run("import", str(tmp_path / "nope.jsonl"))


def test_token_create_prints_a_working_token(clerk):
    token = run("token", "create", "clerk").strip()
    assert ApiToken.objects.get(token_hash=hash_token(token)).user == clerk


def test_token_for_unknown_user_is_refused():
    with pytest.raises(CommandError, match="没有用户"):
        run("token", "create", "nobody")
