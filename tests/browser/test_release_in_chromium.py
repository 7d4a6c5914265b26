"""A release through 保密审查 and 签发 in real headless Chromium (Debian's package), over loopback."""

from __future__ import annotations

import pytest

from yuqing.cases.tests.conftest import cast  # noqa: F401  (fixture)
from yuqing.cases.tests.drive import open_case
from yuqing.org import access
from yuqing.releases.models import Release
from yuqing.testing.factories import make_persona

from .test_pages_in_chromium import PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _login_and_open(chromium, live_server, user, path, errors):
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}{path}")
    assert "/login/" in page.url
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{path}")
    return page


def test_release_is_drafted_reviewed_signed_and_published_through_the_pages(browser, live_server, cast):  # noqa: F811
    office, leader = _with_password(cast.office), _with_password(cast.leader)
    reviewer = _with_password(make_persona("b_reviewer", "保密审查员乙", access.SECRECY_REVIEWER))
    case = open_case(cast)
    errors: list[str] = []

    # 应急办成员 drafts and submits for review.
    page = _login_and_open(browser, live_server, office, f"/releases/new/?case={case.pk}", errors)
    page.select_option("select[name=kind]", "response")
    page.select_option("select[name=channel]", "website")
    page.fill("input[name=title]", "关于定额调整有关情况的回应<script>alert(1)</script>")
    page.fill("textarea[name=body]", "税务机关高度重视，已成立工作组核实情况，纳税人可申请复核。")
    page.click("form.release-form button[type=submit]")
    page.wait_for_selector("text=送保密审查")
    release = Release.objects.get(case=case)
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()  # shown as text, not run
    page.click("button[name=submit]")
    page.wait_for_selector("text=已送保密审查")
    assert "待保密审查" in page.locator(".tag.status").inner_text()

    # 保密审查员 completes the checklist and passes it.
    page = _login_and_open(browser, live_server, reviewer, f"/releases/{release.pk}/review/", errors)
    for box in page.locator("fieldset.checklist input[type=checkbox]").all():
        box.check()
    page.check("input[name=result][value=pass]")
    page.fill("textarea[name=comments]", "不涉密，口径一致")
    page.click("form.review-form button[type=submit]")
    page.wait_for_selector("text=保密审查已记录")
    assert "已通过保密审查" in page.locator(".tag.status").inner_text()

    # 组长 signs.
    page = _login_and_open(browser, live_server, leader, f"/releases/{release.pk}/sign/", errors)
    page.click("form.sign-form button[type=submit]")
    page.wait_for_selector("text=已签发。")
    assert "已签发" in page.locator(".tag.status").inner_text()

    # 应急办成员 marks it published with its URL.
    page = _login_and_open(browser, live_server, office, f"/releases/{release.pk}/publish/", errors)
    page.fill("input[name=url]", "https://tiemenguan.chinatax.gov.cn/xwfb/1.html")
    page.click("form.publish-form button[type=submit]")
    page.wait_for_selector("a.published-url")
    assert page.locator("a.published-url").inner_text() == "https://tiemenguan.chinatax.gov.cn/xwfb/1.html"
    release.refresh_from_db()
    assert release.status == "published" and release.signed_by == leader
    assert release.reviews.get().reviewer == reviewer
    assert errors == []
