"""The audit page fits a 1280 px screen in real headless Chromium (Debian's package): long values wrap,
no table is wider than the window (issue 12 item 6; it was 1,448 px wide)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from yuqing.audit.models import AuditEntry
from yuqing.demo.services import demo_load

from .test_pages_in_chromium import PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1280


def test_the_demo_audit_trail_fits_a_1280_pixel_screen(browser, live_server):  # noqa: F811
    demo_load()
    auditor = get_user_model().objects.get(username="auditor")  # 韩冰, 纪检组
    auditor.set_password(PASSWORD)
    auditor.save(update_fields=["password"])
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/audit/")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/audit/")
    pages = AuditEntry.objects.count() // 50 + 1
    assert pages >= 2
    for number in range(1, pages + 1):
        page.goto(f"{live_server.url}/audit/?page={number}")
        page.wait_for_selector("table.audit")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"第 {number} 页宽 {width} px，超出 {WIDTH} px 的屏幕"
    # the filters, as a person uses them: pick an action, the page still fits and the table is readable
    page.goto(f"{live_server.url}/audit/")
    page.select_option("select[name=action]", label="签发情况报告")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("text=共 1 条")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert "状态" in page.locator("table.audit tbody").inner_text()
    assert errors == []
    context.close()
