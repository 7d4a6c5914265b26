"""The 情况报告 form people can finish (issue 12): it starts from the verification and the event, offers
each signer once with their role for the level chosen, and refuses in Chinese, in an error box."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.report_selectors import report_initial, report_signer_choices
from yuqing.cases.templatetags.case_tags import local_time
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import VERIFIED, advance, open_case
from yuqing.core.errors import errors_text, field_label, invalid
from yuqing.org import access
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def verified_case(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.VERIFYING)
    services.verification_submit(task=case.verifications.get(), user=cast.head, data=VERIFIED)
    case.refresh_from_db()
    return case


def test_a_new_report_starts_from_the_verification_and_the_event(cast, event):
    event.first_at = timezone.make_aware(datetime(2026, 11, 28, 16, 1))
    event.duplicates, event.sites, event.first_publisher = 4, 3, "铁门关论坛网友"
    event.media_types = {"forum": 8, "weibo": 4}
    event.save()
    case = verified_case(cast, event)
    initial = report_initial(case)
    assert initial["course"] == VERIFIED["basic_facts"]
    assert initial["cause"] == VERIFIED["cause"]
    assert initial["harm"] == VERIFIED["consequences"]
    assert initial["next_steps"] == VERIFIED["proposed_handling"]
    assert initial["nature"] == "征管科核实：属实"
    assert initial["occurred_at"] == "2026-11-28T16:01"  # local time, as the datetime-local input wants
    assert initial["scale"].startswith("相关信息 12 条（其中转载 4 条），涉及 3 个站点")
    assert "首发：铁门关论坛网友" in initial["info_source"] and "论坛 8 条" in initial["info_source"]
    assert "None" not in str(initial)


def test_a_case_without_event_or_submitted_verification_starts_empty(cast):
    assert report_initial(open_case(cast)) == {}


def test_the_report_form_shows_the_prefill_editable_and_keeps_what_was_typed_on_refusal(cast, event):
    case = verified_case(cast, event)
    client = cast.client(cast.office)
    url = reverse("cases:report_new", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'id="prefilled"' in page
    assert f'<textarea name="cause" rows="2">{VERIFIED["cause"]}</textarea>' in page
    assert f'<textarea name="next_steps" rows="2">{VERIFIED["proposed_handling"]}</textarea>' in page
    refused = client.post(url, {"kind": "initial", "level": "working_group", "cause": "改写的起因"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert '<textarea name="cause" rows="2">改写的起因</textarea>' in text
    assert '<li class="error">情况报告不完整' in text  # an error box (styled red), not a success box


def test_a_refusal_on_the_page_begins_with_words_not_the_field_name(cast, event):
    case = verified_case(cast, event)
    refused = cast.client(cast.office).post(reverse("cases:report_new", args=[case.pk]), FULL_REPORT)
    assert refused.status_code == 422
    assert '<li class="error">书面报告须标明签发人</li>' in refused.content.decode()


def test_each_signer_is_offered_once_with_their_role_for_the_levels_they_may_sign(cast):
    # A leader who holds the role in two departments' assignments still appears once.
    choices = report_signer_choices()
    ids = [c.user_id for c in choices]
    assert len(ids) == len(set(ids))
    by_id = {c.user_id: c for c in choices}
    assert by_id[cast.leader.pk].label == "组长（舆情应急工作组组长）"
    assert by_id[cast.leader.pk].levels == list(cv.REPORT_LEVELS)
    assert by_id[cast.director.pk].levels == ["working_group"]
    assert cast.head.pk not in by_id and cast.office.pk not in by_id


def test_the_signer_list_is_filtered_by_the_level_chosen(cast, event):
    case = verified_case(cast, event)
    make_persona("c_deputy2", "副组长乙", access.GROUP_DEPUTY)
    page = cast.client(cast.office).get(reverse("cases:report_new", args=[case.pk])).content.decode()
    assert page.count(f'<option value="{cast.leader.pk}"') == 1
    assert f'data-levels="{" ".join(cv.REPORT_LEVELS)}"' in page
    assert 'data-levels="working_group"' in page  # the office director: the working group only
    assert "cases/report_form.js" in page and "<script>" not in page
    refused = cast.client(cast.office).post(
        reverse("cases:report_new", args=[case.pk]), {"kind": "initial", "level": "bureau_leaders"}
    )
    director = f'<option value="{cast.director.pk}" data-levels="working_group" hidden disabled'
    assert director in refused.content.decode()


def test_a_refusal_names_fields_by_their_chinese_label_never_by_the_field_name():
    assert field_label("signer_id") == "签发人"
    assert field_label("skip_reason") == "越级理由"
    assert errors_text({"signer_id": "书面报告须标明签发人"}) == "书面报告须标明签发人"
    assert errors_text({"reported_to": "必填"}) == "报告对象：必填"
    assert errors_text({"no_such_field": "请重填"}) == "请重填"
    assert invalid({"skip_reason": "须说明"}).message == "越级理由：须说明"


def test_dates_read_as_local_time_including_stored_iso_deadlines():
    assert local_time("2026-11-28T08:01:00+00:00") == "11月28日 16:01"
    assert local_time("2026-11-28T16:01:00+08:00") == "11月28日 16:01"
    assert local_time(timezone.make_aware(datetime(2026, 11, 28, 16, 1))) == "11月28日 16:01"
    assert local_time("") == "" and local_time(None) == ""


def test_error_messages_are_styled_apart_from_success_messages():
    from pathlib import Path

    import yuqing.web

    css = (Path(yuqing.web.__file__).parent / "static/web/app.css").read_text()
    rule = css[css.index(".messages li.error") :].split("}")[0]
    assert "background" in rule and "#e3f9e5" not in rule
