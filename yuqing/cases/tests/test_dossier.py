"""一案一档: the dossier holds every text (verification with its files, reports as signed, the plan as
approved, releases as published, coordination, source control, accountability, evaluation), as data
(``case_dossier``) and on the printable page, within the reader's access."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import override_settings

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.dossier import CaseDossier, DossierSection, case_dossier
from yuqing.cases.models import Case, Signature
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import VERIFIED, advance, open_case
from yuqing.org import access
from yuqing.releases import services as releases
from yuqing.releases.models import CHECKLIST
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db

EVIDENCE = b"%PDF-1.4 evidence of the notice board"
RELEASE_BODY = "税务机关已核实情况，定额调整依法依规，纳税人可申请复核。"


def _whole_case(cast: Any, event: Any, tmp_path: Any) -> Case:
    """A case taken to 结案 with a verification file, a published release, coordination and source
    control on file."""
    case = advance(open_case(cast, event=event), cast, cv.VERIFYING)
    with override_settings(ATTACHMENT_DIR=tmp_path):
        services.attachment_add(
            case=case,
            user=cast.handler,
            name="公示栏照片说明.pdf",
            data=EVIDENCE,
            verification=case.verifications.get(),
        )
    case = advance(case, cast, cv.RESPONDING)
    reviewer = make_persona("d_reviewer", "保密审查员乙", access.SECRECY_REVIEWER)
    release = releases.release_create(
        case=case,
        user=cast.office,
        data={
            "kind": "response",
            "channel": "website",
            "title": "关于定额调整的情况说明",
            "body": RELEASE_BODY,
        },
    )
    releases.release_submit(release=release, user=cast.office)
    releases.release_review(
        release=release, user=reviewer, checklist=dict.fromkeys(CHECKLIST, True), result="pass"
    )
    releases.release_sign(release=release, user=cast.leader)
    releases.release_publish(release=release, user=cast.office, url="https://tax.example.cn/notice/1")
    services.coordination_log(
        case=case,
        user=cast.office,
        data={"counterpart": "市网信办", "request": "协查首发账号", "outcome": "已转平台处理"},
    )
    services.source_request_create(
        case=case,
        user=cast.office,
        data={"target": "本地论坛", "kind": "correction", "request": "更正帖文中的错误金额"},
    )
    return advance(case, cast, cv.CLOSED)


def _section(dossier: CaseDossier, key: str) -> DossierSection:
    return next(s for s in dossier.sections if s.key == key)


def test_the_dossier_page_holds_every_text_of_the_case(cast, event, tmp_path):
    case = _whole_case(cast, event, tmp_path)
    report = case.reports.get()
    plan = case.plans.get()
    page = cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        # the verification, with its file listed by name, size and hash
        VERIFIED["basic_facts"],
        VERIFIED["proposed_handling"],
        "公示栏照片说明.pdf",
        f"{len(EVIDENCE)} 字节",
        hashlib.sha256(EVIDENCE).hexdigest(),
        # the report as signed: its body, its hash, who signed it
        FULL_REPORT["course"],
        FULL_REPORT["next_steps"],
        report.content_hash,
        "签发：应急办主任",
        # the plan as approved: measures, approval, hash
        "官网发布情况说明",
        plan.content_hash,
        "审批：组长",
        # the release as published
        RELEASE_BODY,
        "https://tax.example.cn/notice/1",
        "已发布",
        # coordination, source control, accountability, evaluation
        "市网信办",
        "已转平台处理",
        "更正帖文中的错误金额",
        "未按规定公示定额调整",
        "建立定额调整公示清单",
        "先公示后执行",
        # the timeline is still there
        "评估中 → 结案",
    ):
        assert text in html, text
    assert "校验不一致" not in html and "None" not in html


def test_case_dossier_returns_the_texts_as_data_in_the_order_of_the_procedure(cast, event, tmp_path):
    case = _whole_case(cast, event, tmp_path)
    dossier = case_dossier(case, cast.leader)
    keys = [s.key for s in dossier.sections]
    assert keys.index("verification") < keys.index("reports") < keys.index("plans")
    assert keys.index("plans") < keys.index("releases") < keys.index("evaluation")
    assert {"coordination", "source_control", "accountability", "signatures"} <= set(keys)

    (verification,) = _section(dossier, "verification").records
    (file,) = verification.files
    assert (file.name, file.size, file.sha256) == (
        "公示栏照片说明.pdf",
        len(EVIDENCE),
        hashlib.sha256(EVIDENCE).hexdigest(),
    )

    (report,) = _section(dossier, "reports").records
    signature = Signature.objects.get(object_type="cases.situationreport")
    assert {f.label: f.value for f in report.fields}["基本过程"] == signature.content["course"]
    (seal,) = report.seals
    assert (seal.signer, seal.content_hash, seal.intact) == ("应急办主任", signature.content_hash, True)

    (plan,) = _section(dossier, "plans").records
    assert plan.table is not None and plan.table.rows[0][0] == "官网发布情况说明"
    assert "T" not in plan.table.rows[0][3] and "月" in plan.table.rows[0][3]
    assert plan.seals[0].purpose == "审批"

    (release,) = _section(dossier, "releases").records
    assert {f.label: f.value for f in release.fields}["正文"] == RELEASE_BODY
    assert release.seals[0].purpose == "签发"

    (evaluation,) = _section(dossier, "evaluation").records
    assert {f.label: f.value for f in evaluation.fields}["整改措施"] == "建立定额调整公示清单"
    # Data, not markup: an export walks the same sections.
    assert all("<" not in f.value for s in dossier.sections for r in s.records for f in r.fields)


def test_a_signed_report_is_shown_as_signed_and_a_tampered_copy_is_flagged(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.REPORTED)
    report = case.reports.get()
    # Someone edits the row behind the service's back: the dossier keeps the signed text and says the
    # stored copy no longer matches only if the signature's own content was touched.
    type(report).objects.filter(pk=report.pk).update(course="事后改写的过程")
    html = cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/").content.decode()
    assert FULL_REPORT["course"] in html and "事后改写的过程" not in html
    signature = Signature.objects.get(object_type="cases.situationreport")
    Signature.objects.filter(pk=signature.pk).update(content={**signature.content, "course": "篡改"})
    html = cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/").content.decode()
    assert "校验不一致" in html


def test_accountability_is_in_the_dossier_only_for_those_who_may_read_it(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.TRACKING)
    for reader in (cast.leader, cast.auditor, cast.office):
        html = cast.client(reader).get(f"/cases/{case.pk}/dossier/").content.decode()
        assert "未按规定公示定额调整" in html and "问责：张三" in html, reader
    head = cast.client(cast.head).get(f"/cases/{case.pk}/dossier/")
    assert head.status_code == 200
    html = head.content.decode()
    assert VERIFIED["basic_facts"] in html
    assert "张三" not in html and "未按规定公示定额调整" not in html
    assert "accountability" not in [s.key for s in case_dossier(case, cast.head).sections]


def test_a_confidential_case_dossier_is_not_shown_below_its_clearance(cast, event):
    case = advance(open_case(cast, event=event, confidentiality=2), cast, cv.REPORTED)
    assert cast.client(cast.office).get(f"/cases/{case.pk}/dossier/").status_code == 404
    assert cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/").status_code == 200


def test_an_auto_opened_case_dossier_names_the_system_not_none(cast, event):
    case = open_case(cast, event=event)
    Case.objects.filter(pk=case.pk).update(opened_by=None)
    html = cast.client(cast.leader).get(f"/cases/{case.pk}/dossier/").content.decode()
    assert "None" not in html and "系统自动立案" in html
