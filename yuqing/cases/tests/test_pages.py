"""The case pages: what each persona sees and may do; refusals keep the input; escaping; downloads."""

from __future__ import annotations

import pytest
from django.test import override_settings

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, SituationReport
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import advance, open_case

pytestmark = pytest.mark.django_db


def test_the_office_opens_a_case_from_an_event_page(cast, event):
    c = cast.client(cast.office)
    page = c.get(f"/cases/new/?event={event.pk}")
    assert page.status_code == 200 and event.title in page.content.decode()
    r = c.post(
        "/cases/new/",
        {"title": event.title, "severity": "major", "event_id": event.pk, "confidentiality": "0"},
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert case.event_id == event.pk and case.opened_by == cast.office


def test_a_refused_case_form_keeps_what_was_typed(cast):
    r = cast.client(cast.office).post(
        "/cases/new/", {"title": "", "severity": "x", "description": "线索原文<b>保留</b>"}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "线索原文&lt;b&gt;保留&lt;/b&gt;" in html and "请填写案件名称" in html


def test_a_department_head_cannot_open_the_new_case_page(cast):
    assert cast.client(cast.head).get("/cases/new/").status_code == 403


def test_case_pages_are_scoped(cast):
    case = advance(open_case(cast), cast, cv.NOTIFIED)
    assert cast.client(cast.head).get(f"/cases/{case.pk}/").status_code == 200
    assert cast.client(cast.other_head).get(f"/cases/{case.pk}/").status_code == 404
    assert cast.client(cast.other_head).get(f"/cases/{case.pk}/dossier/").status_code == 404
    assert cast.client(cast.outsider).get(f"/cases/{case.pk}/dossier/").status_code == 403
    listing = cast.client(cast.other_head).get("/cases/").content.decode()
    assert case.title not in listing


def test_a_new_case_page_offers_notifying_once_in_the_next_step_panel_and_no_dead_button(cast):
    """issue 12: the move button 通报事发科室 (blocked until a task exists) and the verification form were
    two buttons for one step; now the 下一步 panel leads to the form, and no disabled button is shown."""
    case = open_case(cast)
    html = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert html.count(">通报事发科室<") == 1 and 'href="#verify-form"' in html
    assert "disabled" not in html and "请先向事发科室通报舆情线索并布置核实任务" not in html


def test_an_illegal_move_posted_anyway_is_refused_with_409_and_the_reason(cast):
    case = open_case(cast)
    r = cast.client(cast.office).post(f"/cases/{case.pk}/move/", {"to": "reported"})
    assert r.status_code == 409 and "须依次经过" in r.content.decode()


def test_a_report_form_missing_elements_lists_them_and_keeps_the_rest(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    c = cast.client(cast.office)
    assert c.get(f"/cases/{case.pk}/reports/new/").status_code == 200
    data = {
        **FULL_REPORT,
        "mode": "written",
        "signer_id": cast.director.pk,
        "place": "",
        "harm": "",
        "cause": "<script>alert(1)</script>",
    }
    r = c.post(f"/cases/{case.pk}/reports/new/", data)
    html = r.content.decode()
    assert r.status_code == 422
    assert "缺少要素：地点、已造成的危害" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert FULL_REPORT["scope"] in html


def test_the_named_signer_signs_on_the_report_page(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    report = services.report_create(
        case=case, user=cast.office, data={**FULL_REPORT, "signer_id": cast.director.pk}
    )
    page = cast.client(cast.office).get(f"/cases/{case.pk}/reports/{report.pk}/").content.decode()
    assert 'id="sign"' not in page
    r = cast.client(cast.office).post(f"/cases/{case.pk}/reports/{report.pk}/sign/")
    assert SituationReport.objects.get(pk=report.pk).status == "draft" and r.status_code == 403
    r = cast.client(cast.leader).post(f"/cases/{case.pk}/reports/{report.pk}/sign/")  # not the named signer
    assert SituationReport.objects.get(pk=report.pk).status == "draft" and r.status_code == 302
    c = cast.client(cast.director)
    assert 'id="sign"' in c.get(f"/cases/{case.pk}/reports/{report.pk}/").content.decode()
    c.post(f"/cases/{case.pk}/reports/{report.pk}/sign/")
    html = c.get(f"/cases/{case.pk}/reports/{report.pk}/").content.decode()
    assert "内容与签发时一致" in html and SituationReport.objects.get(pk=report.pk).content_hash in html


def test_the_department_records_its_verification_with_evidence(cast, tmp_path):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    task = case.verifications.get()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = cast.client(cast.handler).get(f"/cases/{case.pk}/verifications/{task.pk}/")
    assert page.status_code == 200 and "提交核实结果" in page.content.decode()
    refused = cast.client(cast.other_head).post(f"/cases/{case.pk}/verifications/{task.pk}/", {"cause": "x"})
    assert refused.status_code == 404
    with override_settings(ATTACHMENT_DIR=tmp_path):
        r = cast.client(cast.handler).post(
            f"/cases/{case.pk}/verifications/{task.pk}/",
            {
                "basic_facts": "属实",
                "cause": "公示遗漏",
                "consequences": "商户不满",
                "proposed_handling": "补公示",
                "finding": "partly_true",
                "files": [
                    SimpleUploadedFile("说明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
                ],
            },
        )
        assert r.status_code == 302
        att = case.attachments.get()
        dl = cast.client(cast.head).get(f"/cases/{case.pk}/attachments/{att.pk}/")
        assert dl.status_code == 200 and b"".join(dl.streaming_content) == b"%PDF-1.4 evidence"
        assert "attachment" in dl["Content-Disposition"]
        assert cast.client(cast.other_head).get(f"/cases/{case.pk}/attachments/{att.pk}/").status_code == 404
    case.refresh_from_db()
    assert case.finding == "partly_true"


def test_the_dossier_prints_the_whole_timeline(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.CLOSED)
    html = cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/").content.decode()
    for text in (
        "立案",
        "发现 → 已通报",
        "评估中 → 结案",
        "签发：情况报告 #",
        "审批：应对方案 #",
        "批准应对方案第1版",
        "问责：张三",
    ):
        assert text in html, text


def test_the_late_board_lists_missed_report_deadlines(cast):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    case = advance(open_case(cast), cast, cv.VERIFYING)
    from yuqing.cases.tests.drive import VERIFIED

    services.verification_submit(task=case.verifications.get(), user=cast.head, data=VERIFIED)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        services.deadlines_sweep()
        html = cast.client(cast.director).get("/cases/late/").content.decode()
    assert "迟报" in html and "核实后首次情况报告" in html


def test_the_list_page_uses_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for _ in range(12):
        advance(open_case(cast), cast, cv.NOTIFIED)
    c = cast.client(cast.office)
    with django_assert_max_num_queries(12):
        assert c.get("/cases/").status_code == 200


def test_the_accountability_board_is_for_the_auditor_and_leaders(cast):
    case = advance(open_case(cast), cast, cv.TRACKING)
    assert case.accountability.exists()
    html = cast.client(cast.auditor).get("/cases/accountability/").content.decode()
    assert "张三" in html and "直接责任" in html
    assert cast.client(cast.office).get("/cases/accountability/").status_code == 403
    assert cast.client(cast.head).get("/cases/accountability/").status_code == 403


def test_the_administrator_edits_the_time_limits_and_the_change_is_audited(admin_user):
    from django.test import Client

    from yuqing.audit.models import AuditEntry
    from yuqing.cases.models import ProcedureSettings

    ProcedureSettings.current()
    c = Client()
    c.force_login(admin_user)
    url = "/admin/cases/proceduresettings/1/change/"
    form = {
        f.name: getattr(ProcedureSettings.current(), f.name)
        for f in ProcedureSettings._meta.fields
        if f.name not in ("id", "updated_at")
    }
    form["verify_hours_major"] = 3
    assert c.post(url, form).status_code == 302
    assert ProcedureSettings.current().verify_hours_major == 3
    entry = AuditEntry.objects.get(action="procedure_settings.change")
    assert entry.old == {"verify_hours_major": 2} and entry.new == {"verify_hours_major": 3}


def test_a_malformed_verification_deadline_is_refused_naming_the_field(cast):
    case = open_case(cast)
    r = cast.client(cast.office).post(
        f"/cases/{case.pk}/verifications/", {"department_id": cast.department.pk, "due_at": "明天下午"}
    )
    assert r.status_code == 422 and "核实时限格式不对" in r.content.decode()
    assert not case.verifications.exists()
