from __future__ import annotations

import pytest
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.policies.models import PolicyDocument
from yuqing.policies.tests.factories import DEDUCTION, SMALL_TAXPAYER, make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_admin_lists_and_searches_policies(admin_client_):
    make_policy(DEDUCTION)
    make_policy(SMALL_TAXPAYER)

    page = admin_client_.get("/admin/policies/policydocument/", {"q": "小规模纳税人"}).content.decode()

    assert SMALL_TAXPAYER["title"] in page
    assert DEDUCTION["title"] not in page


def test_an_admin_save_goes_through_the_service_and_is_audited(admin_client_):
    data = {**DEDUCTION, "validity": "valid", "doc_number": "", "issuer": ""}

    response = admin_client_.post("/admin/policies/policydocument/add/", data)

    assert response.status_code == 302
    policy = PolicyDocument.objects.get()
    assert policy.doc_number == "测税发〔2023〕12号"  # extracted by the service
    assert " 赡养 " in policy.search_text
    assert AuditEntry.objects.filter(action="policy.create", actor__username="root").count() == 1


def test_the_admin_form_refuses_markup_with_a_message_on_the_field(admin_client_):
    data = {**DEDUCTION, "validity": "valid", "title": "<b>标题</b>"}

    response = admin_client_.post("/admin/policies/policydocument/add/", data)

    assert response.status_code == 200
    assert "标题（title）含有 HTML 标签" in response.content.decode()
    assert PolicyDocument.objects.count() == 0
