from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yuqing.audit.models import AuditEntry
from yuqing.events.models import Event
from yuqing.org import access
from yuqing.policies.models import PolicyDocument
from yuqing.policies.tests.factories import DEDUCTION, SMALL_TAXPAYER, VEHICLE, make_policy
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def director_client(db):
    client = Client()
    client.force_login(make_persona("director", "主任甲", access.OFFICE_DIRECTOR, department="办公室"))
    return client


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get(reverse("policies:list"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_list_searches_filters_and_pages_in_a_fixed_number_of_queries(clerk_client):
    for i in range(25):
        make_policy(SMALL_TAXPAYER, title=f"关于小规模纳税人增值税政策的公告（{i}）")
    make_policy(DEDUCTION)

    with CaptureQueriesContext(connection) as queries:
        first = clerk_client.get(reverse("policies:list"), {"q": "增值税"})
    second = clerk_client.get(reverse("policies:list"), {"q": "增值税", "page": 2})
    filtered = clerk_client.get(reverse("policies:list"), {"validity": "repealed"})

    assert first.status_code == 200
    assert "共 25 件" in first.content.decode()
    assert first.content.decode().count("小规模纳税人增值税政策的公告") == 20
    assert "下一页" in first.content.decode()
    assert second.content.decode().count("小规模纳税人增值税政策的公告") == 5
    assert "共 0 件" in filtered.content.decode()
    assert len(queries) <= 8


def test_a_bad_filter_is_reported_in_chinese_and_ignored(clerk_client):
    response = clerk_client.get(reverse("policies:list"), {"validity": "whatever", "page": "x"})

    assert response.status_code == 200
    assert "效力筛选无效，已忽略" in response.content.decode()
    assert "页码无效" in response.content.decode()


def test_the_detail_page_shows_paragraphs_and_escapes_markup(clerk_client):
    policy = make_policy(VEHICLE)
    # Bypass the service (which refuses markup) to prove the page escapes whatever is stored.
    PolicyDocument.objects.filter(pk=policy.pk).update(
        title="<script>alert('t')</script>标题", text="第一段\n<script>alert(1)</script>\n第三段"
    )

    list_page = clerk_client.get(reverse("policies:list")).content.decode()
    page = clerk_client.get(reverse("policies:detail", args=[policy.pk])).content.decode()

    assert "<script>alert" not in page and "<script>alert" not in list_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p>第一段</p>" in page and "<p>第三段</p>" in page
    assert "部分有效" in page


def test_a_missing_policy_is_a_404(clerk_client):
    assert clerk_client.get(reverse("policies:detail", args=[999])).status_code == 404


def test_a_clerk_cannot_open_the_editor(clerk_client):
    response = clerk_client.get(reverse("policies:create"))

    assert response.status_code == 403
    assert "舆情应急办主任" in response.content.decode()


def test_the_office_director_creates_a_policy_and_the_write_is_audited(director_client):
    data = {**DEDUCTION, "validity": "valid", "doc_number": "", "issuer": ""}

    response = director_client.post(reverse("policies:create"), data)

    policy = PolicyDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "policies:detail", args=[policy.pk]
    )
    assert policy.doc_number == "测税发〔2023〕12号"
    assert AuditEntry.objects.filter(action="policy.create", actor__username="director").exists()


def test_a_bad_date_keeps_what_was_typed_and_names_the_field(director_client):
    data = {**DEDUCTION, "validity": "valid", "issued_on": "去年", "title": "我输入的标题"}

    response = director_client.post(reverse("policies:create"), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "发文日期（issued_on）格式无效" in body
    assert 'value="我输入的标题"' in body
    assert PolicyDocument.objects.count() == 0


def test_the_event_page_suggests_policies_for_a_misreading_event(clerk_client):
    policy = make_policy(DEDUCTION)
    event = Event.objects.create(
        key="e", title="网传子女教育专项附加扣除取消了", categories={"misreading": 1}
    )
    plain = Event.objects.create(key="f", title="子女教育专项附加扣除", categories={"service": 1})

    page = clerk_client.get(reverse("events:detail", args=[event.pk])).content.decode()
    other = clerk_client.get(reverse("events:detail", args=[plain.pk])).content.decode()

    assert "可引用的政策" in page
    assert reverse("policies:detail", args=[policy.pk]) in page
    assert "可引用的政策" not in other
