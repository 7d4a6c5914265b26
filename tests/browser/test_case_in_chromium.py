"""The whole case path in real headless Chromium over loopback: alert → case → verification by the 事发科室
→ written situation report signed by the named 签发人 → the case's timeline (一案一档)."""

from __future__ import annotations

import pytest

from yuqing.cases.models import Case, ProcedureSettings
from yuqing.cases.tests.conftest import FULL_REPORT, cast, event  # noqa: F401  (fixtures)
from yuqing.events import alerts
from yuqing.events.models import AlertRule

from .test_pages_in_chromium import PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not log in"


def test_alert_to_case_to_verification_to_signed_report_to_timeline(browser, live_server, cast, event):  # noqa: F811
    for user in (cast.office, cast.head, cast.director):
        user.set_password(PASSWORD)
        user.save()
    ProcedureSettings.objects.update_or_create(pk=1, defaults={"auto_open_level": ""})  # opened by hand here
    # Transactional tests flush the tables between tests, data migrations' default rules included.
    AlertRule.objects.get_or_create(name="较大及以上舆情事件", defaults={"min_severity": "significant"})
    (alert,) = alerts.alerts_evaluate(event)
    base = live_server.url
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(60_000)  # shared 2-core CI machines can be slow; nothing here waits on time
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # 1. The office member on duty opens a case from the alert.
    _login(page, base, cast.office.username)
    page.goto(f"{base}/alerts/")
    page.click(f"a[href*='alert={alert.pk}']")
    page.wait_for_url("**/cases/new/**")
    assert page.input_value("input[name=title]") == event.title
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(event=event)
    assert case.alert_id == alert.pk and page.locator("#case-state").inner_text() == "发现"

    # 2. It notifies 征管科 with a verification task.
    page.select_option("#verification select[name=department_id]", label=cast.department.name)
    page.fill("#verification textarea[name=instructions]", "请核实定额调整情况")
    page.click("#verification button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#case-state").inner_text() == "已通报"

    # 3. The department head starts verification and records the findings.
    _login(page, base, cast.head.username)
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("button[data-to=verifying]")
    page.wait_for_load_state()
    assert page.locator("#case-state").inner_text() == "核实中"
    page.click("#verification a")
    page.fill("textarea[name=basic_facts]", "分局调整定额前未公示")
    page.fill("textarea[name=cause]", "公示环节遗漏")
    page.fill("textarea[name=consequences]", "商户聚集反映")
    page.fill("textarea[name=proposed_handling]", "补充公示，开通复核渠道")
    page.select_option("select[name=finding]", "true")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/cases/{case.pk}/")

    # 4. The office drafts the written report: it starts from the verification, each element editable;
    # the signer list follows the level; a missing element is named, and the rest is kept.
    _login(page, base, cast.office.username)
    page.goto(f"{base}/cases/{case.pk}/reports/new/")
    assert page.input_value("[name=cause]") == "公示环节遗漏"
    assert page.input_value("[name=harm]") == "商户聚集反映"
    director = f"select[name=signer_id] option[value='{cast.director.pk}']"
    page.select_option("select[name=level]", "bureau_leaders")
    assert page.locator(director).is_disabled()
    page.select_option("select[name=level]", "working_group")
    assert not page.locator(director).is_disabled()
    page.fill("input[name=occurred_at]", "2026-11-26T09:00")
    for name, value in FULL_REPORT.items():
        if name in ("kind", "level", "occurred_at", "harm"):
            continue
        page.fill(f"[name={name}]", value)
    page.fill("[name=harm]", "")
    page.select_option("select[name=signer_id]", value=str(cast.director.pk))
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert "缺少要素：已造成的危害" in page.locator("#missing").inner_text()
    assert page.input_value("[name=scope]") == FULL_REPORT["scope"]
    page.fill("[name=harm]", FULL_REPORT["harm"])
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/reports/*/")
    assert page.locator("#report-status").inner_text() == "草稿"
    report_url = page.url

    # 5. The named 签发人 signs; the content is frozen with its hash.
    _login(page, base, cast.director.username)
    page.goto(report_url)
    page.click("#sign")
    page.wait_for_load_state()
    assert page.locator("#report-status").inner_text() == "已签发"
    assert "内容与签发时一致" in page.locator("#signature").inner_text()

    # 6. The office reports; the timeline holds every step in order.
    _login(page, base, cast.office.username)
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("button[data-to=reported]")
    page.wait_for_load_state()
    assert page.locator("#case-state").inner_text() == "已报告"
    timeline = page.locator("#timeline").inner_text()
    steps = [
        "立案",
        "发现 → 已通报",
        "已通报 → 核实中",
        "提交核实结果",
        "起草书面报告",
        "签发",
        "核实中 → 已报告",
    ]
    positions = [timeline.index(s) for s in steps]
    assert positions == sorted(positions), timeline
    page.goto(f"{base}/cases/{case.pk}/dossier/")
    assert "签发与审批记录" in page.content()
    # The one refusal on the way is the report with a missing element (422); nothing else failed.
    assert errors == [f"422 {base}/cases/{case.pk}/reports/new/"]
