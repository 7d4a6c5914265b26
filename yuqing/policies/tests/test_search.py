from __future__ import annotations

import pytest

from yuqing.events.models import Event
from yuqing.policies import selectors
from yuqing.policies.models import Validity
from yuqing.policies.tests.factories import (
    ANNUAL_RETURN,
    DEDUCTION,
    OLD_DEDUCTION,
    SMALL_TAXPAYER,
    VEHICLE,
    make_policy,
)

pytestmark = pytest.mark.django_db

MISREADING = "网传今年起子女教育专项附加扣除取消了，赡养老人也不能扣了，个人所得税要多交，是真的吗？"


@pytest.fixture
def library():
    return {
        "deduction": make_policy(DEDUCTION),
        "small": make_policy(SMALL_TAXPAYER),
        "vehicle": make_policy(VEHICLE),
        "annual": make_policy(ANNUAL_RETURN),
        "old": make_policy(OLD_DEDUCTION),
    }


def test_search_finds_a_policy_by_a_chinese_word_in_its_text(library):
    found = list(selectors.policy_list(q="小规模纳税人"))

    assert found == [library["small"]]


def test_search_needs_every_word_and_can_filter_by_validity(library):
    both = set(selectors.policy_list(q="赡养 子女"))
    in_force = list(selectors.policy_list(q="赡养 子女", validity=Validity.VALID))

    assert both == {library["deduction"], library["old"]}
    assert in_force == [library["deduction"]]
    assert list(selectors.policy_list(q="耕地占用税")) == []


def test_search_finds_a_policy_by_its_document_number(library):
    assert list(selectors.policy_list(q="测税发〔2023〕12号")) == [library["deduction"]]


def test_the_relevant_policy_ranks_first_for_a_misreading_text(library):
    matches = selectors.policies_similar(MISREADING)

    assert [m.policy for m in matches[:2]] == [library["deduction"], library["annual"]]
    assert matches[0].score > matches[1].score > 0
    assert {"子女教育", "赡养"} & set(matches[0].matched_terms)
    assert all(m.policy != library["vehicle"] for m in matches)


def test_repealed_policies_are_left_out_or_ranked_last_when_asked_for(library):
    default = [m.policy for m in selectors.policies_similar(MISREADING)]
    with_old = [m.policy for m in selectors.policies_similar(MISREADING, include_repealed=True)]

    assert library["old"] not in default
    assert with_old == [*default, library["old"]]  # last although its text is closer than any other


def test_a_new_policy_is_found_by_similarity_right_after_it_is_saved(library):
    selectors.policies_similar("耕地占用税 减免")  # builds the cached matrix without the new policy
    land = make_policy(
        {
            "title": "某局关于耕地占用税减免的通知",
            "issued_on": "2021-01-01",
            "text": "农村居民建设住宅耕地占用税减半征收。",
        }
    )

    assert selectors.policies_similar("耕地占用税 减免")[0].policy == land


def test_an_event_about_a_misreading_gets_suggestions_and_others_get_none(library):
    misreading = Event.objects.create(
        key="e1",
        title="网传子女教育专项附加扣除取消",
        categories={"misreading": 3},
        hot_words=[{"word": "赡养老人", "weight": 2.0}],
    )
    other = Event.objects.create(key="e2", title="子女教育专项附加扣除", categories={"service": 2})

    assert selectors.event_policy_suggestions(misreading)[0].policy == library["deduction"]
    assert selectors.event_policy_suggestions(other) == []


def test_an_empty_library_or_text_gives_no_suggestions():
    assert selectors.policies_similar(MISREADING) == []
    assert selectors.policies_similar("   ") == []
