"""The nav shows only the pages a user may open, and the home page sends each user to one they may."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FEED_LINKS = ('href="/items/"', 'href="/events/"', 'href="/alerts/"')


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_sees_the_feed_plans_and_sources_in_the_nav(clerk):
    html = client_for(clerk).get("/notifications/").content.decode()
    assert all(link in html for link in FEED_LINKS)
    assert 'href="/plans/"' in html and 'href="/sources/"' in html


def test_department_heads_and_commentators_see_no_feed_links(department_head, commentator):
    for user in (department_head, commentator):
        html = client_for(user).get("/notifications/").content.decode()
        assert not any(link in html for link in FEED_LINKS)
        assert 'href="/plans/"' not in html and 'href="/sources/"' not in html


def test_a_leader_sees_the_plans_but_no_edit_link_and_no_label_correction(leader, clerk):
    from yuqing.events.tests.routes import a_plan
    from yuqing.items.tests.routes import an_item

    a_plan()
    html = client_for(leader).get("/plans/").content.decode()
    assert "权限测试方案" in html and "新建监测方案" not in html
    from yuqing.items.models import Item

    item_id = an_item()
    Item.objects.filter(id=item_id).update(tax_related=True, relevance=0.9)  # analysed: forms would show
    assert "更正" in client_for(clerk).get(f"/items/{item_id}/").content.decode()
    assert "更正" not in client_for(leader).get(f"/items/{item_id}/").content.decode()


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("clerk", "/items/"),
        ("admin_user", "/welcome/admin/"),  # was /sources/: the administrator first meets the role split
        ("auditor", "/audit/"),
        ("outsider", "/notifications/"),
    ],
)
def test_home_sends_each_user_to_a_page_they_may_open(request, persona, page):
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 302 and response["Location"] == page


def test_the_system_administrator_lands_on_the_role_split_with_account_management(admin_user):
    client = client_for(admin_user)
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/welcome/admin/"
    assert "系统管理员不阅读舆情信息" in html and "角色分工" in html
    for label in ("系统管理员", "纪检监督（审计）", "保密审查员", "舆情应急办主任"):
        assert label in html
    assert 'href="/admin/auth/user/"' in html and 'href="/admin/org/roleassignment/"' in html


def test_the_demo_accounts_of_each_role_are_named_for_the_administrator(admin_user, settings):
    from yuqing.org import demo

    settings.DEMO = True
    demo.demo_load()
    html = client_for(admin_user).get("/welcome/admin/").content.decode()
    assert "<code>director</code>" in html and "<code>leader</code>" in html


def test_nobody_else_opens_the_administrators_page(clerk, auditor):
    for user in (clerk, auditor):
        assert client_for(user).get("/welcome/admin/").status_code == 403
