"""The site's edges: the login page, pages behind it, and the shared template tags."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/items/", "/sources/", "/items/1/"])
def test_pages_need_login(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_is_chinese_and_has_csrf():
    response = Client().get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录" in html and "csrfmiddlewaretoken" in html
    assert "Content-Security-Policy" in response.headers


def test_only_http_links_become_clickable():
    from yuqing.web.templatetags.yuqing_tags import safe_url

    assert safe_url("javascript:alert(1)") == "#"
    assert safe_url("data:text/html,<b>") == "#"
    assert safe_url("https://a.example.cn/x") == "https://a.example.cn/x"
