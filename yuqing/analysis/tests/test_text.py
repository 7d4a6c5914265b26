"""Tests for text normalisation and segmentation (yuqing.analysis.text)."""

import pytest

from yuqing.analysis import text

BAD_INPUTS = [
    "",
    "   \n\t ",
    "😀😀🎉👍🏻👨‍👩‍👧",
    "https://example.com/a?b=c http://t.cn/xyz",
    "税务局" * 350_000,  # ≈ 1 MB of text
    "國家稅務總局鐵門關稅務局",
    "VAT rate 13%，个税 refund 退税 OK",
    "控制\x00字符\x07和\x1b[31m转义\u200b零宽\ufeffBOM\ud800孤立代理",
]


@pytest.mark.parametrize("raw", BAD_INPUTS)
def test_every_function_gives_a_result_on_bad_input(raw):
    norm = text.normalize(raw)
    assert isinstance(norm, str)
    assert len(norm) <= text.MAX_CHARS
    assert isinstance(text.tokens(raw), list)
    assert isinstance(text.search_tokens(raw), list)
    assert isinstance(text.content_tokens(raw), list)
    norm.encode("utf-8")  # no lone surrogate survives


def test_normalize_converts_traditional_to_simplified():
    assert text.normalize("國家稅務總局鐵門關稅務局發佈增值稅") == "国家税务总局铁门关税务局发布增值税"


def test_normalize_applies_nfkc_to_full_width_forms():
    assert text.normalize("ＶＡＴ　１３％") == "VAT 13%"


def test_normalize_removes_control_and_zero_width_characters():
    assert text.normalize("税\x00务\u200b局\x07") == "税务局"


def test_normalize_collapses_whitespace_but_keeps_one_line_break():
    assert text.normalize("  第一段  内容 \r\n\n\n  转自某网  ") == "第一段 内容\n转自某网"


def test_normalize_caps_very_long_text():
    assert len(text.normalize("税" * 500_000)) == text.MAX_CHARS


def test_normalize_leaves_simplified_text_unchanged():
    s = "铁门关税务局办税服务厅今天正常开放"
    assert text.normalize(s) == s


def test_tax_terms_and_local_names_stay_whole():
    toks = text.tokens("第二师铁门关市二十二团纳税人投诉个人所得税汇算清缴退税被多扣，金税四期数电发票")
    for word in ["二十二团", "纳税人", "个人所得税", "汇算清缴", "金税四期", "数电发票"]:
        assert word in toks


def test_department_names_from_the_plan_are_one_token():
    toks = text.tokens("社会保险费和非税收入科与税源管理科、纪检组联合检查")
    assert "社会保险费和非税收入科" in toks
    assert "税源管理科" in toks
    assert "纪检组" in toks


def test_tokens_drop_punctuation_and_lowercase_latin():
    toks = text.tokens("VAT，税率！！ 13% …")
    assert toks == ["vat", "税率", "13"]


def test_search_tokens_add_sub_words_of_long_terms():
    toks = text.search_tokens("个人所得税")
    assert "所得税" in toks
    assert "个人所得税" in toks


def test_content_tokens_drop_stopwords_but_keep_negations():
    toks = text.content_tokens("我们的税务局没有不作为，但是不给退税")
    assert "的" not in toks and "我们" not in toks and "但是" not in toks
    assert "没有" in toks
    assert "退税" in toks


def test_dictionary_holds_at_least_150_tax_terms_and_the_local_names():
    assert len(text.dictionary_terms("tax")) >= 150
    assert {"铁门关", "第二师", "兵团", "库尔勒", "焉耆", "二十九团"} <= text.dictionary_terms("loc")
    assert "稽查局" in text.dictionary_terms("org")


def test_segmenter_is_private_and_built_once():
    import jieba_fast_dat

    tk = text.get_tokenizer()
    assert tk is text.get_tokenizer()
    assert tk is not jieba_fast_dat.dt


def test_segmentation_matches_pure_python_jieba_with_the_same_dictionaries():
    """Stored search_text and the trained models came from pure-Python jieba: the words must not change."""
    import jieba

    ref = jieba.Tokenizer()
    ref.initialize()
    for word, freq, tag in text._read_dictionary():
        ref.add_word(word, freq if freq is not None else max(ref.suggest_freq(word, False), 20), tag)
    samples = [
        "铁门关市税务局推出延时办税服务，个税汇算清缴可以通过个人所得税APP预约办理。",
        "网友反映办税服务厅排队时间过长，税务部门回应将增开窗口并推行预约服务。",
        "小规模纳税人月销售额10万元以下免征增值税，数电发票开具不受影响！",
        "外卖送餐速度快，味道一般般，价格上涨了不少 VAT 2026年",
    ]
    tk = text.get_tokenizer()
    for s in samples:
        norm = text.normalize(s)
        assert tk.lcut(norm, HMM=False) == list(ref.cut(norm, HMM=False))
        assert tk.lcut_for_search(norm, HMM=False) == list(ref.cut_for_search(norm, HMM=False))


def test_strip_for_hash_ignores_punctuation_spacing_and_case():
    assert text.strip_for_hash("税务局，通报！ VAT") == text.strip_for_hash("税务局 通报 vat")
