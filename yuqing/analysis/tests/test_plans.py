"""Tests for monitoring plans: the expression parser, its errors, word groups and hits."""

import pytest

from yuqing.analysis.plans import (
    Doc,
    PlanError,
    PlanSet,
    PlanSyntaxError,
    compile_plan,
    default_plan,
    load_default_plan,
    parse_expression,
)


def parsed(expr: str) -> str:
    return str(parse_expression(expr))


def matches(expr: str, title: str = "", content: str = "", **fields: str) -> bool:
    return compile_plan(expression=expr).match(Doc(title, content, **fields)) is not None


# ---- parser: operators and precedence


@pytest.mark.parametrize(
    ("expr", "tree"),
    [
        ("a AND b", "(a AND b)"),
        ("a & b", "(a AND b)"),
        ("a && b", "(a AND b)"),
        ("a 与 b", "(a AND b)"),
        ("a b", "(a AND b)"),
        ("a OR b", "(a OR b)"),
        ("a | b", "(a OR b)"),
        ("a 或 b", "(a OR b)"),
        ("a OR b AND c", "(a OR (b AND c))"),
        ("a AND b OR c", "((a AND b) OR c)"),
        ("(a OR b) AND c", "((a OR b) AND c)"),
        ("NOT a AND b", "(NOT a AND b)"),
        ("-a b", "(NOT a AND b)"),
        ("!a b", "(NOT a AND b)"),
        ("非 a 与 b", "(NOT a AND b)"),
        ("NOT NOT a", "NOT NOT a"),
        ("a NEAR/10 b", "(a NEAR/10 b)"),
        ("a NEAR/10 b AND c", "((a NEAR/10 b) AND c)"),
        ("(a OR b) NEAR/3 c", "((a OR b) NEAR/3 c)"),
        ('"a AND b" OR c', '("a AND b" OR c)'),
        ("“税务 局”", '"税务 局"'),
        ("title:a", "title:a"),
        ("标题:a 作者：b", "(title:a AND author:b)"),
        ("content:(a OR b) c", "(content:(a OR b) AND c)"),
        ('source:"新浪 微博"', 'source:"新浪 微博"'),
        ("title:a NEAR/5 b", "(title:a NEAR/5 b)"),
        ("（a 或 b）与 c", "((a OR b) AND c)"),
    ],
)
def test_expressions_parse_with_the_documented_precedence(expr, tree):
    assert parsed(expr) == tree


def test_chinese_operators_inside_a_word_are_part_of_the_word():
    assert parsed("税务局与纳税人") == "税务局与纳税人"


def test_hyphen_inside_a_word_is_not_negation():
    assert parsed("covid-19") == "covid-19"


def test_blank_expression_parses_to_nothing():
    assert parse_expression("   ") is None


# ---- parser: errors name the position and what was expected


@pytest.mark.parametrize(
    ("expr", "position", "expected", "says"),
    [
        ("(税务局 OR 税务所", 11, "右括号“)”", "第 12 个字符处缺少右括号“)”"),
        ("a)", 1, "运算符或表达式结尾", "第 2 个字符处多了一个右括号"),
        ("税务局 AND", 7, "词、短语或“(”", "“AND”后面需要"),
        ("OR 税务局", 0, "词、短语或“(”", "第 1 个字符处不能出现“OR”"),
        ("a OR OR b", 5, "词、短语或“(”", "第 6 个字符处"),
        ("a NOT", 5, "词、短语或“(”", "“NOT”后面需要"),
        ("税务局 NEAR 打人", 4, "NEAR/数字", "NEAR 缺少距离"),
        ("税务局 NEAR/ 打人", 4, "NEAR/数字", "NEAR 缺少距离"),
        ("a NEAR/x b", 7, "数字", "必须是整数"),
        ("(a AND b) NEAR/5 c", 1, "词或短语", "不能作为 NEAR 的一边"),
        ("()", 1, "词、短语或“(”", "括号中没有内容"),
        ('a "b c', 6, '右引号“"”', "缺少右引号"),
        ("title:", 6, "词、短语或“(”", "“title:”后面需要"),
        ("title:NOT a", 6, "词、短语或“(”", "不能出现“NOT”"),
    ],
)
def test_syntax_errors_say_where_and_what_was_expected(expr, position, expected, says):
    with pytest.raises(PlanSyntaxError) as err:
        parse_expression(expr)
    assert err.value.position == position
    assert err.value.expected == expected
    assert says in err.value.message
    assert f"第 {position + 1} 个字符处" in err.value.message


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(PlanSyntaxError):
        parse_expression("(" * 500 + "a" + ")" * 500)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"expression": "   "},
        {"expression": "NOT 广告"},
        {"expression": "-广告 -招聘"},
        {"expression": "税务局 OR NOT 广告"},
        {"exclude": ["广告"]},
        {"region": ["  "], "subject": [""]},
    ],
)
def test_plans_that_match_everything_or_nothing_are_refused(kwargs):
    with pytest.raises(PlanError):
        compile_plan(**kwargs)


def test_a_not_term_is_fine_next_to_a_required_word():
    assert compile_plan(expression="税务局 NOT 广告")


# ---- matching


def test_and_or_not_evaluate_on_substrings():
    assert matches("税务局 AND 投诉", content="有人投诉铁门关税务局")
    assert not matches("税务局 AND 投诉", content="铁门关税务局发布通知")
    assert matches("打人 OR 辱骂", content="工作人员辱骂群众")
    assert not matches("税务局 NOT 广告", content="税务局广告")
    assert matches("税务局 NOT 广告", content="税务局通知")


def test_latin_words_are_case_insensitive_and_respect_word_edges():
    assert matches("VAT", content="the vat rate")
    assert not matches("VAT", content="a private matter")
    assert matches("app", content="个税APP崩溃")


def test_traditional_characters_match_simplified_words():
    assert matches("税务局 AND 投诉", content="有人投訴鐵門關稅務局")


def test_near_matches_within_distance_in_either_order():
    assert matches("税务局 NEAR/5 打人", content="税务局门口有人打人")
    assert matches("税务局 NEAR/5 打人", content="打人事件发生在税务局")
    assert not matches("税务局 NEAR/5 打人", content="税务局今天发布了关于个人所得税的通知，另有打人")
    assert matches("税务局 NEAR/0 打人", content="税务局打人")
    assert not matches("税务局 NEAR/0 打人", content="税务局x打人")


def test_near_needs_both_words_in_the_same_field():
    assert not matches("税务局 NEAR/50 打人", title="税务局", content="打人")


def test_field_scopes_restrict_where_words_count():
    assert matches("title:投诉", title="投诉税务局", content="")
    assert not matches("title:投诉", title="税务局", content="投诉")
    assert matches("author:张三 税务", title="税务", author="张三")
    assert not matches("税务 张三", title="税务", author="张三")  # unscoped words look in title and content
    assert matches('source:"今日 头条" 税', content="税", source="今日 头条")
    assert matches("content:(打人 OR 骂人) 税务局", content="税务局有人骂人")


def test_quoted_phrase_keeps_operators_as_text():
    assert matches('"AND"', content="rock AND roll")


def test_word_groups_need_region_subject_event_and_no_exclude():
    plan = compile_plan(region=["铁门关"], subject=["税务局"], event=["投诉", "曝光"], exclude=["广告"])
    assert plan.match(Doc("", "铁门关税务局被曝光"))
    assert not plan.match(Doc("", "库尔勒税务局被曝光"))
    assert not plan.match(Doc("", "铁门关税务局发布通知"))
    assert not plan.match(Doc("", "铁门关税务局被曝光 广告"))


def test_groups_and_expression_must_both_hold():
    plan = compile_plan(subject=["税务局"], expression="title:投诉")
    assert plan.match(Doc("投诉", "税务局"))
    assert not plan.match(Doc("通知", "税务局 投诉"))


def test_hits_say_which_word_matched_where_in_normalized_text():
    plan = compile_plan(region=["铁门关"], subject=["税务局"], expression="投诉")
    m = plan.match(Doc("投诉 鐵門關", "铁门关税务局窗口"))
    assert m is not None
    got = {(h.word, h.field, h.start, h.end, h.group) for h in m.hits}
    assert got == {
        ("投诉", "title", 0, 2, "expression"),
        ("铁门关", "title", 3, 6, "region"),
        ("铁门关", "content", 0, 3, "region"),
        ("税务局", "content", 3, 6, "subject"),
    }


def test_hits_do_not_report_excluded_or_negated_words():
    plan = compile_plan(expression="税务局 NOT 广告", exclude=["推广"])
    m = plan.match(Doc("", "税务局"))
    assert m is not None
    assert [h.word for h in m.hits] == ["税务局"]


def test_shorter_hit_inside_a_longer_one_is_folded():
    plan = compile_plan(subject=["铁门关", "铁门关市"])
    m = plan.match(Doc("", "铁门关市"))
    assert m is not None
    assert [(h.word, h.start, h.end) for h in m.hits] == [("铁门关市", 0, 4)]


def test_plan_set_gives_the_same_answers_as_each_plan_alone():
    plans = [
        compile_plan(subject=["税务局"], event=["投诉"], name="a"),
        compile_plan(expression="发票 NEAR/4 虚开", name="b"),
        compile_plan(expression="title:社保", name="c"),
    ]
    docs = [Doc("社保费", "有人投诉税务局虚开发票"), Doc("", "虚开了增值税专用发票"), Doc("税务局", "投诉")]
    for doc in docs:
        together = [m.plan for m in PlanSet(plans).match(doc)]
        alone = [p.name for p in plans if p.match(doc)]
        assert together == alone


@pytest.mark.parametrize(
    "content",
    ["", "😀😀", "https://t.cn/abc", "税务局" * 300_000, "VAT\x00税务局\u200b", "國稅局"],
)
def test_bad_input_gives_a_result_not_an_exception(content):
    result = default_plan().match(Doc(content, content, content, content))
    assert result is None or result.hits


def test_default_plan_catches_opinion_about_the_bureau_and_region():
    spec = load_default_plan()
    assert {"name", "region", "subject", "event", "exclude", "expression"} <= spec.keys()
    plan = default_plan()
    assert plan.match(Doc("铁门关市税务局办税服务厅排长队", "纳税人反映等了三个小时"))
    assert plan.match(Doc("", "第二师二十二团职工反映社保费多扣，税务所不给解释"))
    assert not plan.match(Doc("库尔勒香梨丰收", "今年香梨产量创新高"))
    assert not plan.match(Doc("", "北京市税务局发布个税汇算清缴提醒"))
    assert not plan.match(Doc("", "铁门关代开各类发票，税点低"))
