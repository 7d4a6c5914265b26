"""The audit page: who may read it, its filters, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_record

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def write(actor, action: str, repr_: str = "对象", new=None) -> AuditEntry:
    with transaction.atomic():
        return audit_record(actor=actor, action=action, obj=("sources.source", 1, repr_), new=new)


@pytest.fixture
def history(clerk, leader):
    day = timezone.make_aware(datetime(2026, 11, 1, 10, 0))
    with time_machine.travel(day, tick=False):
        write(clerk, "source.create", "铁门关论坛", {"url": "https://bbs.example.cn/rss"})
    with time_machine.travel(day + timedelta(days=5), tick=False):
        write(leader, "alert.acknowledge", '=HYPERLINK("http://evil")', {"at": "now"})
    with time_machine.travel(day + timedelta(days=10), tick=False):
        write(clerk, "label.correct", "个税", {"sentiment": "negative"})


def test_anonymous_visitors_are_sent_to_login():
    for path in ("/audit/", "/audit/export.csv"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ["clerk", "leader", "office_member"])
def test_staff_without_the_auditor_role_are_refused(request, persona):
    user = request.getfixturevalue(persona)
    for path in ("/audit/", "/audit/export.csv"):
        response = client_for(user).get(path)
        assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert not AuditEntry.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("persona", ["auditor", "admin_user"])
def test_auditors_and_administrators_read_the_trail(request, persona, history):
    html = client_for(request.getfixturevalue(persona)).get("/audit/").content.decode()
    assert "审计记录" in html and "铁门关论坛" in html and "新增监测源" in html
    assert "https://bbs.example.cn/rss" in html
    assert f"共 {AuditEntry.objects.count()} 条" in html


def test_filters_by_actor_action_object_type_and_dates(auditor, history):
    client = client_for(auditor)
    html = client.get("/audit/", {"actor": "leader"}).content.decode()
    assert "确认预警" in html and "铁门关论坛" not in html
    html = client.get("/audit/", {"action": "label.correct"}).content.decode()
    assert "共 1 条" in html and "个税" in html
    html = client.get("/audit/", {"object_type": "sources.source"}).content.decode()
    assert "共 3 条" in html and "监测源" in html
    html = client.get("/audit/", {"since": "2026-11-06", "until": "2026-11-06"}).content.decode()
    assert "共 1 条" in html and "确认预警" in html
    html = client.get("/audit/", {"since": "yesterday", "object_type": "sources.source"}).content.decode()
    assert "开始日期格式无效" in html and "共 3 条" in html


def test_script_in_recorded_values_is_escaped(auditor, clerk):
    write(clerk, "source.create", "<script>alert(1)</script>", {"name": "<img src=x onerror=alert(1)>"})
    html = client_for(auditor).get("/audit/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_the_chain_can_be_checked_from_the_page(auditor, history):
    html = client_for(auditor).get("/audit/", {"verify": "1"}).content.decode()
    assert f"审计链完好：共 {AuditEntry.objects.count()} 条记录" in html


def test_csv_export_is_utf8_with_bom_filtered_escaped_and_itself_audited(auditor, history):
    response = client_for(auditor).get("/audit/export.csv", {"object_type": "sources.source"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "时间", "操作人", "动作"]
    expected = (
        AuditEntry.objects.filter(object_type="sources.source").order_by("-seq").values_list("seq", flat=True)
    )
    assert [int(r[0]) for r in rows[1:]] == list(expected) and len(expected) == 3
    assert rows[3][4] == "新增监测源" and rows[3][1] == "2026-11-01 10:00:00"
    assert rows[2][7].startswith("'=HYPERLINK")  # no formula runs when Excel opens it
    export = AuditEntry.objects.get(action="audit.export")
    assert export.actor == auditor and export.new == {"filters": {"object_type": "sources.source"}}


def test_the_list_page_query_count_does_not_grow_with_entries(auditor, clerk, django_assert_max_num_queries):
    client = client_for(auditor)
    for i in range(30):
        write(clerk, "source.create", f"源{i}")
    # 9 before issue 12, + the names of the people and rows the details refer to (one query per kind of
    # row: users, persons, departments here) + the person filter's suggestions.
    with django_assert_max_num_queries(13):
        html = client.get("/audit/").content.decode()
    assert "源29" in html
