"""The admin: a channel's secrets never reach its page and saving it unchanged keeps them; saves record only
what changed."""

from __future__ import annotations

import pytest

from tests.admin_forms import change_page_data
from yuqing.audit.models import AuditEntry
from yuqing.notify.models import ChannelConfig

pytestmark = pytest.mark.django_db

URL = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123"


@pytest.fixture
def channel():
    settings = {"url": URL, "secret": "SECabc"}
    return ChannelConfig.objects.create(kind="dingtalk", name="钉钉", settings=settings)


def test_the_channel_page_shows_no_secret_and_no_bot_token(admin_client, channel):
    page = admin_client.get(f"/admin/notify/channelconfig/{channel.id}/change/").content.decode()
    assert "TOKEN123" not in page and "SECabc" not in page
    assert "robot/send?***" in page


def test_saving_the_channel_page_unchanged_keeps_its_secrets(admin_client, channel):
    url = f"/admin/notify/channelconfig/{channel.id}/change/"
    data = change_page_data(admin_client, url)
    data["name"] = "钉钉值班群"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.name == "钉钉值班群"
    assert channel.settings == {"url": URL, "secret": "SECabc"}
    assert AuditEntry.objects.get(action="channelconfig.update").new == {"name": "钉钉值班群"}


def test_a_new_secret_typed_on_the_channel_page_replaces_the_old_one(admin_client, channel):
    url = f"/admin/notify/channelconfig/{channel.id}/change/"
    data = change_page_data(admin_client, url)
    data["settings"] = data["settings"].replace('"***"', '"SECnew"')
    assert admin_client.post(url, data).status_code == 302
    channel.refresh_from_db()
    assert channel.settings == {"url": URL, "secret": "SECnew"}
    entry = AuditEntry.objects.get(action="channelconfig.update")
    assert set(entry.new) == {"settings_fingerprint"} and "SECnew" not in str(entry.new)


def test_a_shift_whose_note_is_changed_in_the_admin_records_only_the_note(admin_client, clerk):
    from datetime import timedelta

    from django.utils import timezone

    from yuqing.notify.models import DutyShift

    start = timezone.now().replace(second=0, microsecond=0)
    shift = DutyShift.objects.create(person=clerk.person, start=start, end=start + timedelta(hours=8))
    url = f"/admin/notify/dutyshift/{shift.id}/change/"
    data = change_page_data(admin_client, url)
    data["note"] = "夜班"
    assert admin_client.post(url, data).status_code == 302
    assert AuditEntry.objects.get(action="dutyshift.update").new == {"note": "夜班"}
