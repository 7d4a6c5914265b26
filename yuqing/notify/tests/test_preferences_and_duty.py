"""Preferences and quiet hours (重大 and above always go through), the 值班表, the API and the pages."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from yuqing.notify import services
from yuqing.notify.channels.base import Message
from yuqing.notify.duty import escalation_chain, on_duty_users
from yuqing.notify.models import Delivery, DeliveryStatus, Notification, NotificationPreference
from yuqing.notify.tests.helpers import make_channel
from yuqing.org import access
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
LATE_NIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=SHANGHAI)


@pytest.fixture
def member(db):
    user = make_persona("member", "值班员乙", access.OFFICE_MEMBER, department="办公室")
    user.email = "member@tmg.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def director(db):
    return make_persona("director", "主任甲", access.OFFICE_DIRECTOR, department="办公室")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def quiet_nights(user) -> NotificationPreference:
    return services.preference_update(
        user=user,
        actor=user,
        by_email=True,
        by_sms=True,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
        min_level="general",
    )


def test_quiet_hours_hold_back_a_general_alert_but_not_a_major_one(
    member, smtp_server, django_capture_on_commit_callbacks
):
    make_channel("email")
    quiet_nights(member)
    with time_machine.travel(LATE_NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.notify([member], Message("一般舆情：网帖", "内容", level="general"))
        services.notify([member], Message("重大舆情：聚集", "内容", level="major"))

    general, major = Delivery.objects.filter(kind="email").order_by("id")
    assert general.status == DeliveryStatus.SUPPRESSED
    assert general.last_error == "免打扰时段（22:00–07:00），该等级未推送"
    assert major.status == DeliveryStatus.SENT
    assert [m.rcpt_tos for m in smtp_server.messages] == [["member@tmg.example"]]
    assert Notification.objects.filter(recipient=member).count() == 2  # the bell keeps both


def test_outside_quiet_hours_a_general_alert_is_pushed(
    member, smtp_server, django_capture_on_commit_callbacks
):
    make_channel("email")
    quiet_nights(member)
    with (
        time_machine.travel(LATE_NIGHT.replace(hour=7, minute=0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notify([member], Message("一般舆情：网帖", "内容", level="general"))
    assert Delivery.objects.get(kind="email").status == DeliveryStatus.SENT


def test_a_minimum_level_holds_back_lower_alerts_but_never_major_ones(
    member, smtp_server, django_capture_on_commit_callbacks
):
    make_channel("email")
    services.preference_update(
        user=member,
        actor=member,
        by_email=True,
        by_sms=True,
        quiet_start=None,
        quiet_end=None,
        min_level="especially_major",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([member], Message("较大", "", level="significant"))
        services.notify([member], Message("重大", "", level="major"))
    statuses = list(Delivery.objects.filter(kind="email").order_by("id").values_list("status", "last_error"))
    assert statuses == [
        (DeliveryStatus.SUPPRESSED, "低于个人接收等级（特别重大(Ⅰ级)）"),
        (DeliveryStatus.SENT, ""),
    ]


def test_a_person_who_turned_email_off_gets_no_email_row(
    member, smtp_server, django_capture_on_commit_callbacks
):
    make_channel("email")
    services.preference_update(
        user=member,
        actor=member,
        by_email=False,
        by_sms=True,
        quiet_start=None,
        quiet_end=None,
        min_level="general",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([member], Message("重大", "", level="major"))
    assert list(Delivery.objects.values_list("kind", flat=True)) == ["inapp"]


def test_whoever_the_duty_roster_has_on_duty_gets_the_first_page(office_member, director):
    night = make_persona("night", "夜班员", department="征管科")
    start = timezone.now() - timedelta(hours=1)
    services.duty_shift_create(
        person=night.person, start=start, end=start + timedelta(hours=12), actor=director
    )
    assert on_duty_users() == [night]
    assert escalation_chain() == [night.id, office_member.id, director.id]
    with time_machine.travel(start + timedelta(hours=13)):
        assert on_duty_users() == []
        assert escalation_chain() == [office_member.id, director.id]


def test_a_major_alert_pages_the_person_on_duty_first(member, django_capture_on_commit_callbacks):
    from yuqing.events import alerts
    from yuqing.events.tests.test_alerts import make_event

    night = make_persona("night", "夜班员", department="征管科")
    start = timezone.now() - timedelta(hours=1)
    services.duty_shift_create(person=night.person, start=start, end=start + timedelta(hours=12), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = alerts.alerts_evaluate(make_event("major", score=80.0))
    assert alert.chain[0] == night.id
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["night"]
    assert Delivery.objects.get().alert_id == alert.id


def test_a_shift_that_ends_before_it_starts_is_refused(member):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    with pytest.raises(ValidationError) as info:
        services.duty_shift_create(
            person=member.person, start=now, end=now - timedelta(hours=1), actor=member
        )
    assert info.value.message_dict["end"] == ["值班结束时间必须晚于开始时间"]


def test_the_delivery_log_api_is_for_the_office_director_and_not_for_a_member(
    member, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([member], Message("较大舆情", "内容", level="significant"))
    response = logged_in(director).get("/api/v1/deliveries?status=sent")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["items"][0]["recipient"] == "值班员乙"
    assert data["items"][0]["status_label"] == "已发送"
    denied = logged_in(member).get("/api/v1/deliveries")
    assert denied.status_code == 403 and "主任" in denied.json()["detail"]
    assert logged_in(director).get("/api/v1/deliveries?status=lost").status_code == 422


def test_one_edits_ones_own_preferences_through_the_api_and_bad_input_is_refused_with_the_field(member):
    client = logged_in(member)
    assert client.get("/api/v1/notify/preferences").json()["quiet_start"] is None
    bad = client.put("/api/v1/notify/preferences", {"quiet_start": "22:00"}, content_type="application/json")
    assert bad.status_code == 422 and "quiet_end" in bad.json()["errors"]
    assert (
        client.put(
            "/api/v1/notify/preferences", {"min_level": "huge"}, content_type="application/json"
        ).status_code
        == 422
    )
    ok = client.put(
        "/api/v1/notify/preferences",
        {"by_sms": False, "quiet_start": "22:00", "quiet_end": "07:00", "min_level": "significant"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["quiet_end"] == "07:00:00"
    pref = NotificationPreference.objects.get(user=member)
    assert pref.by_sms is False and pref.min_level == "significant"


def test_the_duty_api_says_who_is_on_duty_now(member, director):
    start = timezone.now() - timedelta(hours=2)
    services.duty_shift_create(
        person=member.person, start=start, end=start + timedelta(hours=8), actor=director, note="夜班"
    )
    data = logged_in(director).get("/api/v1/duty").json()
    assert [(row["name"], row["note"]) for row in data["on_duty"]] == [("值班员乙", "夜班")]
    later = (start + timedelta(hours=9)).isoformat()
    assert logged_in(director).get("/api/v1/duty", {"at": later}).json()["on_duty"] == []


def test_the_duty_page_shows_who_is_on_duty_and_the_week(member, director):
    start = timezone.now() - timedelta(hours=1)
    services.duty_shift_create(
        person=member.person, start=start, end=start + timedelta(hours=8), actor=director
    )
    page = logged_in(director).get("/notify/duty/").content.decode()
    assert "当前值班" in page and "值班员乙" in page and "未排班" in page
    outsider = get_user_model().objects.create_user("outsider")
    assert logged_in(outsider).get("/notify/duty/").status_code == 403


def test_the_preferences_page_saves_and_keeps_what_was_typed_on_an_error(member):
    client = logged_in(member)
    bad = client.post(
        "/notify/preferences/", {"by_email": "on", "quiet_start": "22:00", "min_level": "general"}
    )
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "免打扰开始与结束须同时填写" in page and 'value="22:00"' in page
    ok = client.post(
        "/notify/preferences/", {"quiet_start": "22:00", "quiet_end": "06:30", "min_level": "major"}
    )
    assert ok.status_code == 302
    pref = NotificationPreference.objects.get(user=member)
    assert pref.by_email is False and str(pref.quiet_end) == "06:30:00"


def test_the_delivery_log_page_filters_by_status_in_a_bounded_number_of_queries(
    member, director, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            services.notify([member, director], Message(f"较大舆情 {n}", "内容"))
    client = logged_in(director)
    with django_assert_max_num_queries(12):
        response = client.get("/notify/deliveries/?status=sent")
    assert response.status_code == 200 and response.content.decode().count("较大舆情") == 10
    assert logged_in(member).get("/notify/deliveries/").status_code == 403


@pytest.mark.parametrize(
    ("name", "value"),
    [("YUQING_NOTIFY_MAX_ATTEMPTS", "0"), ("YUQING_EMAIL_PORT", "smtp"), ("YUQING_PUBLIC_URL", "tmg.local")],
)
def test_a_bad_notification_setting_stops_start_up_naming_the_variable(name, value, tmp_path):
    env = {**os.environ, name: value, "YUQING_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import yuqing.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "ConfigError" in result.stderr and name in result.stderr


def test_the_preference_bodies_keep_their_exact_shape_under_the_output_schemas(member):
    client = logged_in(member)
    level = client.put("/api/v1/notify/preferences", {"min_level": "huge"}, content_type="application/json")
    assert level.json() == {"detail": "min_level 必须是 general/significant/major/especially_major 之一"}
    bad = client.put("/api/v1/notify/preferences", {"quiet_start": "22:00"}, content_type="application/json")
    assert set(bad.json()) == {"detail", "errors"} and isinstance(bad.json()["errors"]["quiet_end"], list)
    ok = client.put("/api/v1/notify/preferences", {"min_level": "major"}, content_type="application/json")
    assert ok.json() == {
        "by_email": True,
        "by_sms": True,
        "quiet_start": None,
        "quiet_end": None,
        "min_level": "major",
    }


def test_the_duty_page_lists_each_shift_once(member, director):
    """Shifts of 08:00 to 08:00 the next day overlap two days each: each is listed once, on its first."""
    first = datetime(2026, 11, 22, 8, tzinfo=SHANGHAI)  # the Sunday before the week shown
    for n in range(8):
        services.duty_shift_create(
            person=member.person,
            start=first + timedelta(days=n),
            end=first + timedelta(days=n + 1),
            actor=director,
        )
    page = logged_in(director).get("/notify/duty/", {"week": "2026-11-25"}).content.decode()
    assert page.count('<div class="shift">') == 8
    for n in range(8):
        start = first + timedelta(days=n)
        end = start + timedelta(days=1)
        assert page.count(f"{start:%-m月%-d日} 08:00–{end:%-m月%-d日} 08:00") == 1
    assert "未排班" not in page


def test_a_day_inside_a_longer_shift_says_it_continues_instead_of_listing_it_again(member, director):
    start = datetime(2026, 11, 24, 20, tzinfo=SHANGHAI)
    services.duty_shift_create(
        person=member.person, start=start, end=start + timedelta(days=2), actor=director
    )
    page = logged_in(director).get("/notify/duty/", {"week": "2026-11-24"}).content.decode()
    assert page.count('<div class="shift">') == 1
    assert page.count("续前日班次：值班员乙（至 11月26日 20:00）") == 2  # Wednesday and Thursday
