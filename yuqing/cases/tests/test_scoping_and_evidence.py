"""Department scoping, confidentiality, verification by the 事发科室, and evidence attachments."""

from __future__ import annotations

import pytest
from django.test import override_settings

from yuqing.cases import selectors, services
from yuqing.cases import vocab as cv
from yuqing.cases.services import ProcedureError
from yuqing.cases.tests.drive import VERIFIED, advance, open_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_department_sees_its_own_cases_not_others(cast):
    mine = advance(open_case(cast), cast, cv.NOTIFIED)
    open_case(cast)  # not assigned to anyone yet
    assert [c.pk for c in selectors.case_list(user=cast.head)] == [mine.pk]
    assert [c.pk for c in selectors.case_list(user=cast.handler)] == [mine.pk]
    assert list(selectors.case_list(user=cast.other_head)) == []
    assert list(selectors.case_list(user=cast.outsider)) == []
    assert selectors.case_list(user=cast.office).count() == 2
    assert selectors.case_get(user=cast.other_head, case_id=mine.pk) is None


def test_confidentiality_limits_readers_by_clearance(cast):
    secret = open_case(cast, confidentiality=2)
    sensitive = open_case(cast, confidentiality=1)
    for case in (secret, sensitive):
        services.verification_assign(case=case, user=cast.director, department_id=cast.department.pk)
    assert {c.pk for c in selectors.case_list(user=cast.director)} == {secret.pk, sensitive.pk}
    assert {c.pk for c in selectors.case_list(user=cast.office)} == {sensitive.pk}
    assert {c.pk for c in selectors.case_list(user=cast.auditor)} == {sensitive.pk}
    assert list(selectors.case_list(user=cast.head)) == []  # the department reads only 内部 cases


def test_only_the_case_department_records_verification(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    task = case.verifications.get()
    for who in (cast.other_head, cast.office, cast.outsider):
        with pytest.raises(ProcedureError) as err:
            services.verification_submit(task=task, user=who, data=VERIFIED)
        assert err.value.code == "forbidden"
    with pytest.raises(ProcedureError) as err:
        services.verification_submit(task=task, user=cast.head, data={"finding": "maybe"})
    assert set(err.value.errors) == {"basic_facts", "cause", "consequences", "proposed_handling", "finding"}
    services.verification_submit(task=task, user=cast.head, data=VERIFIED)
    case.refresh_from_db()
    assert case.finding == "true" and case.verified_at is not None
    with pytest.raises(ProcedureError):
        services.verification_submit(task=task, user=cast.head, data=VERIFIED)


@pytest.fixture
def attachments_dir(tmp_path):
    with override_settings(ATTACHMENT_DIR=tmp_path / "att", ATTACHMENT_MAX_BYTES=1024):
        yield tmp_path / "att"


def test_evidence_is_stored_outside_the_web_root_with_its_hash(cast, attachments_dir):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    att = services.attachment_add(case=case, user=cast.handler, name="现场照片.png", data=PNG)
    stored = attachments_dir / att.path
    assert stored.read_bytes() == PNG and att.kind == "png" and len(att.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.pdf", PDF + b"x" * 2000, "超过"),
        ("evil.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("fake.pdf", b"MZ\x90\x00binary", "不符"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "不符"),
        ("photo.png", PDF, "不符"),
        ("empty.pdf", b"", "空"),
    ],
)
def test_oversized_or_disguised_attachments_are_refused(cast, attachments_dir, name, data, message):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    with pytest.raises(ProcedureError) as err:
        services.attachment_add(case=case, user=cast.head, name=name, data=data)
    assert message in err.value.errors["file"]
    assert not case.attachments.exists()
    assert not any(attachments_dir.rglob("*.*")) if attachments_dir.exists() else True


def test_another_department_cannot_upload_evidence(cast, attachments_dir):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    with pytest.raises(ProcedureError) as err:
        services.attachment_add(case=case, user=cast.other_head, name="a.pdf", data=PDF)
    assert err.value.code == "forbidden"
