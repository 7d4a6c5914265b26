"""Public-response time targets: 首次权威回应 within 5 h and 新闻发布会 within 24 h for 重大 and above."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.cases.models import Deadline, ProcedureSettings
from yuqing.cases.services import deadlines_sweep
from yuqing.cases.tests.drive import open_case
from yuqing.releases import services
from yuqing.releases.tests.conftest import draft, to_signed

pytestmark = pytest.mark.django_db


def _deadline(case, kind):
    return Deadline.objects.get(case=case, kind=kind)


def test_major_case_gets_first_response_and_press_conference_deadlines_once(cast):
    case = open_case(cast, severity="major")  # case_open calls release_deadlines_set
    assert _deadline(case, "first_response").due_at == case.opened_at + timedelta(hours=5)
    assert _deadline(case, "press_conference").due_at == case.opened_at + timedelta(hours=24)
    assert services.release_deadlines_set(case) == []
    draft(case, cast)
    assert Deadline.objects.filter(case=case, kind="first_response").count() == 1


def test_deadlines_are_set_when_missing_counted_from_the_opening(cast):
    case = open_case(cast, severity="major")
    Deadline.objects.filter(case=case, kind__in=["first_response", "press_conference"]).delete()
    created = services.release_deadlines_set(case)
    assert {d.kind for d in created} == {"first_response", "press_conference"}
    assert _deadline(case, "first_response").due_at == case.opened_at + timedelta(hours=5)


def test_general_case_gets_no_public_response_deadlines(cast):
    case = open_case(cast, severity="general")
    draft(case, cast)
    assert not Deadline.objects.filter(case=case, kind__in=["first_response", "press_conference"]).exists()


def test_time_targets_come_from_the_procedure_settings(cast):
    ProcedureSettings.objects.update_or_create(pk=1, defaults={"first_response_hours": 3})
    case = open_case(cast, severity="especially_major")
    assert _deadline(case, "first_response").due_at == case.opened_at + timedelta(hours=3)


def test_response_published_within_five_hours_meets_the_first_response_deadline(cast, reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = open_case(cast)
        release = draft(case, cast)
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        to_signed(release, cast, reviewer)
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/r/1")
        deadlines_sweep()
    first = _deadline(case, "first_response")
    assert first.status == "met"
    assert _deadline(case, "press_conference").status == "open"


def test_missed_first_response_is_swept_and_a_late_publication_counts_as_late(cast, reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = open_case(cast)
        release = draft(case, cast)
    with time_machine.travel(start + timedelta(hours=6), tick=False):
        assert deadlines_sweep() >= 1
        assert _deadline(case, "first_response").status == "missed"
        to_signed(release, cast, reviewer)
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/r/1")
    assert _deadline(case, "first_response").status == "late"


def test_press_conference_release_meets_the_press_conference_deadline(cast, reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = open_case(cast)
        release = draft(case, cast, kind="policy", channel="press_conference")
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        to_signed(release, cast, reviewer)
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/fbh/1")
    assert _deadline(case, "press_conference").status == "met"
    # 政策解读 is not an authoritative response to the incident.
    assert _deadline(case, "first_response").met_at is None
