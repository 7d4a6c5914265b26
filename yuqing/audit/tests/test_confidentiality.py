"""The audit page and its CSV show every entry's action, actor and time, but the content of an entry about
a case (its title, description, values) only to readers cleared for the case's 密级: the auditor (纪检)
reads up to 敏感, the system administrator only 内部."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.cases import services as cases
from yuqing.cases.models import Case
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db
TITLES = {0: "内部案件：办税厅排队", 1: "敏感案件：网传分局违规收费", 2: "秘密案件：某领导亲属偷逃税线索"}
LEADS = {0: "线索：排队两小时", 1: "线索：收费单据照片", 2: "线索：举报人称隐匿收入三千万元"}


@pytest.fixture
def director(db):
    return make_persona("a_director", "应急办主任乙", access.OFFICE_DIRECTOR, department="办公室")


@pytest.fixture
def trail(director) -> dict[int, Case]:
    """A case at each level, opened and sent to 征管科 for verification with its lead as instructions."""
    zg = Department.objects.get_or_create(name="征管科")[0]
    opened = {}
    for level, title in TITLES.items():
        case = cases.case_open(
            user=director, title=title, severity="major", description=LEADS[level], confidentiality=level
        )
        cases.verification_assign(case=case, user=director, department_id=zg.pk, instructions=LEADS[level])
        opened[level] = case
    return opened


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_text(user) -> str:
    response = client_for(user).get("/audit/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]


def test_the_auditor_reads_content_up_to_sensitive_and_sees_only_that_a_secret_entry_exists(auditor, trail):
    html = client_for(auditor).get("/audit/").content.decode()
    for level in (0, 1):
        assert TITLES[level] in html and LEADS[level] in html
    assert TITLES[2] not in html and LEADS[2] not in html
    assert "内容需「秘密」级权限" in html
    # Action, actor and time of the secret case's entries are still there.
    secret = AuditEntry.objects.filter(object_type="cases.case", object_id=str(trail[2].pk))
    assert secret.filter(action="case.open").exists()
    assert f"编号 {trail[2].pk}" in html and "应急办主任乙" in html


def test_the_system_administrator_reads_only_internal_content(admin_user, trail):
    html = client_for(admin_user).get("/audit/").content.decode()
    assert TITLES[0] in html and LEADS[0] in html
    for level in (1, 2):
        assert TITLES[level] not in html and LEADS[level] not in html
    assert "内容需「敏感」级权限" in html and "内容需「秘密」级权限" in html


@pytest.mark.parametrize("persona, hidden", [("auditor", (2,)), ("admin_user", (1, 2))])
def test_the_csv_export_hides_the_same_content(request, persona, hidden, trail):
    text = csv_text(request.getfixturevalue(persona))
    for level, title in TITLES.items():
        assert (title in text) is (level not in hidden)
        assert (LEADS[level] in text) is (level not in hidden)
    rows = list(csv.reader(io.StringIO(text)))
    opened = [r for r in rows[1:] if r[3] == "case.open" and r[6] == str(trail[2].pk)]
    assert opened and opened[0][2].startswith("应急办主任乙") and opened[0][7] == "内容需「秘密」级权限"


def test_raising_a_cases_level_hides_its_earlier_entries(auditor, trail):
    Case.objects.filter(pk=trail[1].pk).update(confidentiality=2)
    html = client_for(auditor).get("/audit/").content.decode()
    assert TITLES[1] not in html and LEADS[1] not in html


def test_the_audit_admin_shows_no_content_of_cases(admin_user, trail):
    client = client_for(admin_user)
    listing = client.get("/admin/audit/auditentry/").content.decode()
    entry = AuditEntry.objects.filter(action="case.open", object_id=str(trail[2].pk)).get()
    detail = client.get(f"/admin/audit/auditentry/{entry.pk}/change/").content.decode()
    for level in (1, 2):
        assert TITLES[level] not in listing and TITLES[level] not in detail
    assert client.get("/admin/audit/auditentry/", {"q": "秘密案件"}).status_code == 200


def test_entries_not_about_a_case_are_shown_in_full(admin_user, auditor):
    with transaction.atomic():
        from yuqing.audit.services import audit_record

        audit_record(actor=auditor, action="source.create", obj=("sources.source", 9, "铁门关论坛"))
    assert "铁门关论坛" in client_for(admin_user).get("/audit/").content.decode()
