"""Thread links and merges in event clustering (issue 10, item 5), on real texts of the corpus.

The texts are Weibo posts and their reposts/comments from the CED rumour dataset (``texts.jsonl``; their
gold events are in the *tuning* half of ``events.jsonl``) and 新闻联播 items as unrelated traffic. A
collector of a post's comments knows which post they answer: the comments carry it as ``thread``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from yuqing.analysis.batch_cluster import cluster_jsonl
from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.cluster import Clusterer, ClusterItem, _address
from yuqing.analysis.evaluation import events as ev

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)

# 美国新税法致海外美国人放弃国籍: the post and its 11 tax-related comments (thread 4042_AbGm3g3Pg).
US_POST = "c01763"
US_COMMENTS = [f"c0{n}" for n in range(3094, 3105)]
# 总理：决不能让房价反弹 (thread 4113_yrwZeiUDS): the post and 5 comments.
PM_POST = "c01765"
PM_COMMENTS = ["c03111", "c03113", "c03114", "c03115", "c03116"]
# 以色列遇难福建工人赔偿款被收税 (one rumour posted by two accounts): thread 1595 and thread 361.
IL_POST_A, IL_COMMENTS_A = "c01754", ["c02887", "c02889", "c02890"]
IL_POST_B, IL_COMMENTS_B = "c01755", ["c03083", "c03087", "c03088"]
# Thread 1950 of the same rumour: two comments whose post is not in the corpus.
IL_ORPHANS = ["c02899", "c02900"]
# 新闻联播 tax items of 2022: other news, as the traffic between the threads.
NEWS = [f"c0{n}" for n in range(1218, 1248)]


@cache
def corpus() -> dict[str, dict]:
    rows = (ds.CORPUS_DIR / "texts.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, rows) if "text" in r}


def items(ids: list[str], *, links: bool = True) -> list[ClusterItem]:
    """Corpus records as a collector delivers them, one minute apart."""
    out = []
    for n, i in enumerate(ids):
        url, thread = ev.collector_links(corpus()[i]["source"])
        out.append(
            ClusterItem(
                i,
                corpus()[i]["text"],
                url=url,
                thread=thread if links else "",
                published_at=T0 + timedelta(minutes=n),
            )
        )
    return out


def run(stream: list[ClusterItem], clusterer: Clusterer | None = None) -> dict[str, str]:
    """item id → its final event (merges followed)."""
    clusterer = clusterer or Clusterer()
    assigned = {str(item.id): clusterer.add(item).event_id for item in stream}
    return {i: clusterer.resolve(e) or e for i, e in assigned.items()}


def interleave(*threads: list[str]) -> list[str]:
    out: list[str] = []
    for group in zip(*threads, strict=False):
        out.extend(group)
    return out


def test_the_collector_links_of_a_ced_thread_name_the_weibo_post():
    post = corpus()[US_POST]["source"]
    comment = corpus()[US_COMMENTS[0]]["source"]
    assert ev.collector_links(post) == ("https://weibo.com/2269103954/AbGm3g3Pg", "")
    assert ev.collector_links(comment) == ("", "https://weibo.com/2269103954/AbGm3g3Pg")
    page = "http://news.jschina.com.cn/scroll/guonei/202007/t20200702_2581834.shtml"
    assert ev.collector_links(page) == (page, "")
    assert ev.collector_links("tax_posts_train.jsonl#tp0") == ("", "")


def test_comments_join_the_event_of_the_post_they_answer():
    ids = [US_POST, PM_POST, *interleave(US_COMMENTS, PM_COMMENTS + NEWS[:6])]
    clusterer = Clusterer()
    result = {item.id: clusterer.add(item) for item in items(ids)}
    us, pm = result[US_POST].event_id, result[PM_POST].event_id
    assert us != pm
    assert all(result[c].event_id == us for c in US_COMMENTS)
    assert all(result[c].event_id == pm for c in PM_COMMENTS)
    assert all(result[c].thread == "weibo.com/2269103954/AbGm3g3Pg" for c in US_COMMENTS)
    assert not any(result[n].event_id in (us, pm) for n in NEWS[:6])
    assert clusterer.events[us].size == 1 + len(US_COMMENTS)
    # Without the link the words alone place hardly any comment with its post: the link is what joins them.
    by_words = run(items(ids, links=False))
    assert sum(by_words[c] == by_words[US_POST] for c in US_COMMENTS) <= 2


def test_a_post_that_arrives_after_its_comments_joins_them():
    ids = [*US_COMMENTS, *NEWS[:5], US_POST]
    result = run(items(ids))
    assert len({result[i] for i in [US_POST, *US_COMMENTS]}) == 1
    assert not any(result[n] == result[US_POST] for n in NEWS[:5])


def test_comments_of_a_post_outside_the_window_share_one_event():
    result = run(items([IL_ORPHANS[0], *NEWS[:8], IL_ORPHANS[1]]))
    assert result[IL_ORPHANS[0]] == result[IL_ORPHANS[1]]


def test_a_comments_words_do_not_move_the_event():
    clusterer = Clusterer()
    post = clusterer.add(items([US_POST])[0])
    centroid = dict(clusterer.events[post.event_id].centroid)
    for item in items([US_POST, *US_COMMENTS])[1:]:
        clusterer.add(item)
    assert clusterer.events[post.event_id].centroid == centroid


def test_thread_links_survive_a_state_round_trip():
    ids = [US_POST, *US_COMMENTS]
    stream = items(ids)
    whole = Clusterer()
    expected = [whole.add(item) for item in stream]
    first = Clusterer()
    got = [first.add(item) for item in stream[:3]]
    restored = Clusterer.from_state(first.to_state())
    got += [restored.add(item) for item in stream[3:]]
    assert got == expected
    assert len({a.event_id for a in got}) == 1


def test_two_accounts_posting_one_rumour_some_items_apart_end_in_one_event():
    """Account A posts the rumour and is commented on; twenty other items later account B's comments
    arrive before B's post (collectors often see them first), so they start an event of their own. B's
    post, linked to them and worded like A's, proves both events one: they merge and the merge is reported."""
    ids = [IL_POST_A, *IL_COMMENTS_A, *NEWS[:20], *IL_COMMENTS_B, IL_POST_B]
    clusterer = Clusterer()
    assigned: dict[str, str] = {}
    merges: list[tuple[str, str]] = []
    for item in items(ids):
        assigned[str(item.id)] = clusterer.add(item).event_id
        merges += clusterer.drain_merges()
    rumour = [IL_POST_A, *IL_COMMENTS_A, *IL_COMMENTS_B, IL_POST_B]
    assert assigned[IL_COMMENTS_B[0]] != assigned[IL_POST_A]  # started separately
    final = {i: clusterer.resolve(e) for i, e in assigned.items()}
    assert len({final[i] for i in rumour}) == 1
    assert any({gone, into} == {assigned[IL_POST_A], assigned[IL_COMMENTS_B[0]]} for gone, into in merges)
    assert not any(final[n] == final[IL_POST_A] for n in NEWS[:20])
    # The caller's own map, updated only from drain_merges, arrives at the same events.
    aliases = dict(merges)
    follow = {i: aliases.get(e, e) for i, e in assigned.items()}
    assert Counter(follow[i] for i in rumour).most_common(1)[0][1] == len(rumour)


def test_merge_passes_run_within_a_short_stream():
    """The default configuration looks for merges every 20 items (it was every 200: a 30-minute demo run
    never reached a pass)."""
    clusterer = Clusterer()
    for item in items(NEWS[:19]):
        clusterer.add(item)
    assert clusterer._dirty  # events touched since the last pass
    clusterer.add(items(NEWS[19:20])[0])
    assert not clusterer._dirty


def test_batch_cli_reads_the_thread_of_each_line(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = []
    for item in items([US_POST, *NEWS[:3], *US_COMMENTS[:4]]):
        row = {
            "id": item.id,
            "text": item.text,
            "url": item.url,
            "published_at": item.published_at.isoformat(),
        }
        if item.thread:
            row["thread"] = item.thread
        lines.append(json.dumps(row, ensure_ascii=False))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    cluster_jsonl(src, out, progress=False)
    events = {r["id"]: r["event_id"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert all(events[c] == events[US_POST] for c in US_COMMENTS[:4])
    assert not any(events[n] == events[US_POST] for n in NEWS[:3])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.weibo.com/2269103954/AbGm3g3Pg/", "weibo.com/2269103954/AbGm3g3Pg"),
        ("http://bbs.example.cn/t/1?page=2#reply-7", "bbs.example.cn/t/1?page=2"),
        ("  weibo:4042 ", "weibo:4042"),
        ("", ""),
        ("HTTP://WWW.Example.cn", "example.cn"),
        ("http:///nohost", "http:///nohost"),
    ],
)
def test_thread_addresses_compare_without_scheme_www_fragment_and_final_slash(value, expected):
    assert _address(value) == expected
