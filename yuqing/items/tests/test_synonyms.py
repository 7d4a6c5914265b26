"""The search synonyms page: the office adds, changes and deletes its groups (audited); others are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import SearchSynonym
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def an_item():
    source = Source.objects.create(name="测试", kind=SourceKind.RSS, url="https://x.example.cn/rss")
    entry = RawEntry(
        url="https://x.example.cn/1",
        title="缴费基数公布",
        content="灵活就业人员缴费基数上调。",
        published_at=None,
    )
    ingest_entries([entry], source=source)


def test_office_member_adds_a_group_and_search_uses_it(clerk_client, an_item):
    assert "缴费基数公布" not in clerk_client.get("/items/", {"q": "缴费工资"}).content.decode()
    page = clerk_client.get("/items/synonyms/").content.decode()
    assert "个税、个人所得税" in page and "检索同义词" in page
    response = clerk_client.post("/items/synonyms/", {"terms": "缴费工资、缴费基数", "note": "社保费口径"})
    assert response.status_code == 302
    group = SearchSynonym.objects.get()
    assert group.terms == "缴费工资 缴费基数"
    entry = AuditEntry.objects.get(action="search_synonym.create")
    assert entry.new == {"terms": "缴费工资 缴费基数", "note": "社保费口径"}
    html = clerk_client.get("/items/", {"q": "缴费工资"}).content.decode()
    assert "已同时检索：缴费基数" in html and "<mark>缴费基数</mark>公布" in html
    assert "科员甲" in clerk_client.get("/items/synonyms/").content.decode()


def test_a_bad_group_is_refused_in_chinese_and_the_input_kept(clerk_client):
    response = clerk_client.post("/items/synonyms/", {"terms": "个税", "note": "只有一个词"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "同义词：请至少填写两个不同的词" in html
    assert 'value="个税"' in html and 'value="只有一个词"' in html
    assert not SearchSynonym.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="search_synonym").exists()


def test_a_group_is_changed_and_deleted_with_audit_entries(clerk_client):
    group = SearchSynonym.objects.create(terms="缴费工资 缴费基数")
    bad = clerk_client.post(f"/items/synonyms/{group.id}/", {"terms": "!!! ？？", "note": ""})
    assert bad.status_code == 422 and "不含文字或数字，无法检索" in bad.content.decode()
    assert 'value="!!! ？？"' in bad.content.decode()
    assert (
        clerk_client.post(f"/items/synonyms/{group.id}/", {"terms": "缴费工资 缴费基数 缴费基础"}).status_code
        == 302
    )
    entry = AuditEntry.objects.get(action="search_synonym.update")
    assert entry.old["terms"] == "缴费工资 缴费基数" and entry.new["terms"] == "缴费工资 缴费基数 缴费基础"
    assert clerk_client.post(f"/items/synonyms/{group.id}/delete/").status_code == 302
    assert not SearchSynonym.objects.exists()
    assert AuditEntry.objects.filter(action="search_synonym.delete").count() == 1
    again = clerk_client.post(f"/items/synonyms/{group.id}/delete/", follow=True)
    assert "这组同义词已被删除" in again.content.decode()
    assert AuditEntry.objects.filter(action="search_synonym.delete").count() == 1


def test_people_outside_the_office_cannot_change_synonyms(leader, department_head):
    for user in (leader, department_head):
        client = Client()
        client.force_login(user)
        assert client.get("/items/synonyms/").status_code == 403
        assert client.post("/items/synonyms/", {"terms": "甲 乙"}).status_code == 403
    assert not SearchSynonym.objects.exists()
