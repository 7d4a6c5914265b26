"""Tests for near-duplicate detection (exact hash, MinHash signature, LSH bands, the windowed index)."""

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from yuqing.analysis import dedupe
from yuqing.analysis.dedupe import (
    NearDupIndex,
    band_keys,
    estimate_jaccard,
    exact_hash,
    signature,
    signature_from_bytes,
    signature_to_bytes,
)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "tax_posts_train.jsonl"

POST = (
    "铁门关市税务局办税服务厅今天上午排起长队，不少纳税人反映等了三个多小时还没办上业务。"
    "有网友称窗口只开了两个，工作人员态度冷淡。记者联系税务局，对方表示系统升级导致办理变慢，"
    "已经增开窗口并安排专人引导，预计明天恢复正常。"
)
OTHER_SAME_TOPIC = (
    "铁门关市税务局办税服务厅推出延时服务，纳税人下班后也能办理社保费缴纳和发票领用业务。"
    "税务局表示，今年还将推广电子税务局和数电发票，让纳税人少跑腿，并在各团场设立便民办税点。"
)


def real_posts(n: int) -> list[str]:
    if not DATA.exists():
        pytest.skip("../shared/data not present")
    texts = [json.loads(line)["text"] for line in DATA.open(encoding="utf-8")]
    return [t for t in texts if len(t) > 120][:n]


def test_exact_hash_ignores_punctuation_spacing_case_and_repost_lines():
    assert exact_hash("税务局通报：VAT 调整！") == exact_hash("税务局通报 vat调整")
    assert exact_hash(POST) == exact_hash("转自新浪微博\n" + POST.replace("，", ",") + "\n来源：澎湃新闻")
    assert exact_hash(POST) != exact_hash(OTHER_SAME_TOPIC)


def test_exact_hash_is_empty_for_texts_with_nothing_to_compare():
    assert exact_hash("") == ""
    assert exact_hash("😀🎉") == ""


def test_signature_is_the_datasketch_minhash_of_the_3_grams():
    form = dedupe.dedupe_form(POST)
    m = MinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED, hashfunc=int, scheme="affine32")
    m.update_batch(dedupe._shingle_ids(form).tolist())
    assert np.array_equal(m.hashvalues.astype(np.uint32), signature(POST))


def test_signature_round_trips_through_bytes():
    sig = signature(POST)
    data = signature_to_bytes(sig)
    assert len(data) == 512
    assert np.array_equal(signature_from_bytes(data), sig)


def test_reposts_have_high_estimated_jaccard_and_share_a_band_key():
    repost = "【转】" + POST.replace("。", "！").replace("记者联系税务局，", "") + "[doge]"
    a, b = signature(POST), signature(repost)
    assert estimate_jaccard(a, b) >= dedupe.THRESHOLD
    assert set(band_keys(a)) & set(band_keys(b))


def test_same_topic_different_text_is_not_a_duplicate():
    assert estimate_jaccard(signature(POST), signature(OTHER_SAME_TOPIC)) < 0.4


def test_band_keys_are_one_per_band_and_none_for_empty_text():
    keys = band_keys(signature(POST))
    assert len(keys) == dedupe.BANDS
    assert len(set(keys)) == dedupe.BANDS
    assert band_keys(signature("")) == []


def test_short_posts_only_match_their_own_copies():
    index = NearDupIndex()
    assert index.add("a", "好", 0) is None
    assert index.add("b", "坏", 1) is None
    assert index.add("c", "好！", 2) == "a"
    assert index.add("d", "税务局好", 3) is None


def test_empty_texts_are_never_duplicates():
    index = NearDupIndex()
    assert index.add("a", "", 0) is None
    assert index.add("b", "", 1) is None
    assert index.add("c", "😀", 2) is None


def test_duplicate_points_at_the_earliest_copy_not_the_nearest():
    index = NearDupIndex()
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert index.add(1, POST, t0) is None
    assert index.add(2, "转自新浪微博\n" + POST, t0 + timedelta(minutes=5)) == 1
    assert index.add(3, "//@路人甲: 转发微博 //@小王:" + POST + "#税务#", t0 + timedelta(minutes=9)) == 1
    assert index.add(4, OTHER_SAME_TOPIC, t0 + timedelta(minutes=10)) is None


def test_window_evicts_old_items():
    index = NearDupIndex(window=timedelta(days=1))
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    index.add("old", POST, t0)
    index.add("x", OTHER_SAME_TOPIC, t0 + timedelta(days=2))
    assert len(index) == 1
    assert index.add("new", POST, t0 + timedelta(days=2, hours=1)) is None


def test_export_and_restore_keep_the_index_working():
    index = NearDupIndex()
    index.add("a", POST, 0)
    index.add("b", "转自XX\n" + POST, 1)
    restored = NearDupIndex.restore(*index.export())
    assert restored.add("c", POST + "！！", 2) == "a"
    assert restored.root_of("b") == "a"


def test_real_reposts_are_found_and_different_real_posts_are_not():
    posts = real_posts(60)
    index = NearDupIndex()
    for i, text in enumerate(posts):
        index.add(f"o{i}", text, i)  # the data holds a few real reposts: those point at their original
    hits = 0
    for i, text in enumerate(posts):
        sentences = text.split("。")
        last = sentences[-1]
        trimmed = (
            text[: len(text) - len(last)] if len(sentences) > 2 and len(last) < 0.15 * len(text) else text
        )
        repost = f"来源：今日头条\n{trimmed.replace('，', ',')}"
        hits += index.add(f"r{i}", repost, 100 + i) == index.root_of(f"o{i}")
    assert hits >= 0.95 * len(posts)
    distinct = [t for i, t in enumerate(posts) if index.root_of(f"o{i}") == f"o{i}"][:12]
    for a in range(len(distinct)):
        for b in range(a + 1, len(distinct)):
            assert estimate_jaccard(signature(distinct[a]), signature(distinct[b])) < dedupe.THRESHOLD


@pytest.mark.parametrize("raw", ["", "😀", "https://t.cn/x", "税" * 1_000_000, "國稅", "VAT tax", "\x00\x01"])
def test_bad_input_gives_a_result(raw):
    sig = signature(raw)
    assert sig.shape == (dedupe.NUM_PERM,)
    assert isinstance(exact_hash(raw), str)
    assert isinstance(band_keys(sig), list)
    NearDupIndex().add("x", raw, 0)


def test_same_text_hash_is_the_content_hash_ingest_stored_before():
    """Stored ``Item.content_hash`` values stay valid: the one definition is ingest's former hash (only a
    text with nothing to compare changed, to ``""``; migration items 0005)."""

    def stored_before(title: str, content: str) -> str:
        folded = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", f"{title}{content}").lower())
        return hashlib.sha256(folded.encode()).hexdigest()

    for title, content in [("税务局通报", POST), ("", "ＶＡＴ 调整！"), ("Title_1", "转自新浪微博\n" + POST)]:
        assert dedupe.same_text_hash(title, content) == stored_before(title, content)
    assert dedupe.same_text_hash("😀", "🎉") == ""
