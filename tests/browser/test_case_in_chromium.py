"""The whole case path in real headless Chromium over loopback, through the pages only, each step as its
own role: alert → case → 通报 → the 事发科室 verifies → 初报 drafted → 签发 → plan drafted and submitted →
approved (which launches the response) → handling. At every stage the 下一步 panel says what is needed,
from whom, and offers its one button only to whoever may press it; the walk never presses a button the
panel did not lead to (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

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


def _panel(page, base: str, case_id: int, *, what: str, button: str | None) -> None:
    """Open the case page and check the 下一步 panel: its text, and its one button (or none)."""
    page.goto(f"{base}/cases/{case_id}/")
    assert page.locator("#next-step").count() == 1
    assert what in page.locator("#next-what").inner_text()
    action = page.locator("#next-action")
    if button is None:
        assert action.count() == 0, f"no button expected, found {action.all_inner_texts()}"
    else:
        assert action.count() == 1 and action.inner_text() == button
    assert page.locator("button[disabled]").count() == 0  # no dead buttons


def _state(page) -> str:
    return page.locator("#case-state").inner_text()


def test_alert_to_case_to_handling_following_the_next_step_panel(browser, live_server, cast, event):  # noqa: F811
    for user in (cast.office, cast.head, cast.director, cast.leader):
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

    # 1. The office member on duty opens a case from the alert; its title is the event's, linked.
    _login(page, base, cast.office.username)
    page.goto(f"{base}/alerts/")
    page.click(f"a[href*='alert={alert.pk}']")
    page.wait_for_url("**/cases/new/**")
    assert page.input_value("input[name=title]") == event.title
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(event=event)
    assert case.alert_id == alert.pk and _state(page) == "发现"
    assert page.locator("#case-event a").inner_text() == event.title

    # 2. 下一步: notify the department. The panel leads to the form; it is sent once.
    _panel(page, base, case.pk, what="通报事发科室", button="通报事发科室")
    page.click("#next-action")
    page.select_option("#verify-form select[name=department_id]", label=cast.department.name)
    page.fill("#verify-form textarea[name=instructions]", "请核实定额调整情况")
    page.click("#verify-form button[type=submit]")
    page.wait_for_load_state()
    assert _state(page) == "已通报"
    # The office waits for 征管科: the panel names them and the deadline, and offers the office no button.
    _panel(page, base, case.pk, what="征管科核实舆情事实", button=None)
    assert (
        "征管科" in page.locator("#next-who").inner_text() and "月" in page.locator("#next-due").inner_text()
    )

    # 3. The department head follows the panel to the task: opening it is 核实中 (the system's move).
    _login(page, base, cast.head.username)
    _panel(page, base, case.pk, what="征管科核实舆情事实", button="填报核实结果")
    page.click("#next-action")
    page.wait_for_url("**/verifications/*/")
    page.fill("textarea[name=basic_facts]", "分局调整定额前未公示")
    page.fill("textarea[name=cause]", "公示环节遗漏")
    page.fill("textarea[name=consequences]", "商户聚集反映")
    page.fill("textarea[name=proposed_handling]", "补充公示，开通复核渠道")
    page.select_option("select[name=finding]", "true")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert _state(page) == "核实中"
    _panel(page, base, case.pk, what="起草首次情况报告", button=None)  # the office's step, not theirs

    # 4. The office drafts the 初报 from the panel; a missing element is named, and the rest is kept.
    _login(page, base, cast.office.username)
    _panel(page, base, case.pk, what="起草首次情况报告", button="起草初报")
    page.click("#next-action")
    page.wait_for_url("**/reports/new/")
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
    page.select_option("select[name=signer_id]", value=str(cast.leader.pk))
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert "缺少要素：已造成的危害" in page.locator("#missing").inner_text()
    assert page.input_value("[name=scope]") == FULL_REPORT["scope"]
    page.fill("[name=harm]", FULL_REPORT["harm"])
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/reports/*/")
    assert page.locator("#report-status").inner_text() == "草稿"
    _panel(page, base, case.pk, what="签发情况报告", button=None)  # the signer's step
    assert "组长" in page.locator("#next-who").inner_text()

    # 5. The named 签发人 (the group leader) signs from the panel: the case is 已报告 by itself.
    _login(page, base, cast.leader.username)
    _panel(page, base, case.pk, what="签发情况报告", button="签发报告")
    page.click("#next-action")
    page.wait_for_url("**/reports/*/")
    page.click("#sign")
    page.wait_for_load_state()
    assert page.locator("#report-status").inner_text() == "已签发"
    assert "内容与签发时一致" in page.locator("#signature").inner_text()
    page.goto(f"{base}/cases/{case.pk}/")
    assert _state(page) == "已报告"

    # 6. The office drafts the plan from the panel and submits it: 方案待审批 by itself.
    _login(page, base, cast.office.username)
    _panel(page, base, case.pk, what="起草应对方案", button="起草应对方案")
    page.click("#next-action")
    assert page.locator("#plan-form").is_visible()
    due = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#plan-form textarea[name=summary]", "公开定额核定依据，回应商户关切")
    page.fill("#plan-form input[name=measure_1]", "官网发布定额调整说明")
    page.select_option("#plan-form select[name=kind_1]", "disclosure")
    page.select_option("#plan-form select[name=owner_1]", value=str(cast.office.pk))
    page.fill("#plan-form input[name=due_1]", due)
    page.click("#plan-form button[name=submit][value='1']")
    page.wait_for_load_state()
    assert _state(page) == "方案待审批"
    _panel(page, base, case.pk, what="审批应对方案第1版", button=None)

    # 7. The leader approves on the panel: one click approves and launches the response.
    _login(page, base, cast.leader.username)
    _panel(page, base, case.pk, what="审批应对方案第1版", button="批准并启动应急响应")
    page.fill("#next-form textarea[name=comments]", "同意，注意口径统一")
    page.click("#next-action")
    page.wait_for_load_state()
    assert _state(page) == "处置中"
    assert page.get_by_role("button", name="启动应急响应").count() == 0

    # 8. Handling: the measure's owner is asked for its result, with its deadline.
    _login(page, base, cast.office.username)
    _panel(page, base, case.pk, what="完成处置措施（1 项未完成）", button="填报完成情况")
    assert "应急办成员甲" in page.locator("#next-who").inner_text()
    page.click("#next-action")
    page.fill("#handling input[name=result]", "已于官网发布说明")
    page.click("#handling form.inline button[type=submit]")
    page.wait_for_load_state()
    _panel(page, base, case.pk, what="须记录问责情况", button="办理处置事项")

    # The timeline holds every step in order, the system's moves in its own name.
    timeline = page.locator("#timeline").inner_text()
    steps = [
        "立案",
        "发现 → 已通报",
        "已通报 → 核实中",
        "提交核实结果",
        "起草书面报告",
        "签发",
        "核实中 → 已报告",
        "已报告 → 方案待审批",
        "批准应对方案第1版",
        "方案待审批 → 处置中",
    ]
    positions = [timeline.index(s) for s in steps]
    assert positions == sorted(positions), timeline
    page.goto(f"{base}/cases/{case.pk}/dossier/")
    assert "签发与审批记录" in page.content()
    # The one refusal on the way is the report with a missing element (422); nothing else failed.
    assert errors == [f"422 {base}/cases/{case.pk}/reports/new/"]
