"""核实任务 belong to the department they were sent to: with tasks for two departments on one case, neither
department may fill in the other's — through the API, the page or the service — and the case's finding
stays as it was."""

from __future__ import annotations

import pytest

from yuqing.cases import services
from yuqing.cases.models import VerificationTask
from yuqing.cases.services import ProcedureError
from yuqing.cases.tests.drive import VERIFIED, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tasks(cast):
    case = open_case(cast)
    zg = services.verification_assign(case=case, user=cast.office, department_id=cast.department.pk)
    nf = services.verification_assign(case=case, user=cast.office, department_id=cast.other_department.pk)
    case.refresh_from_db()
    return case, zg, nf


def _result_url(case, task) -> str:
    return f"/api/v1/cases/{case.pk}/verifications/{task.pk}/result"


@pytest.mark.parametrize("actor, target", [("head", "nf"), ("handler", "nf"), ("other_head", "zg")])
def test_a_department_cannot_submit_another_departments_task_through_the_api(cast, two_tasks, actor, target):
    case, zg, nf = two_tasks
    task = {"zg": zg, "nf": nf}[target]
    response = cast.api(getattr(cast, actor)).post(
        _result_url(case, task), {**VERIFIED, "finding": "false"}, content_type="application/json"
    )
    assert response.status_code == 403, response.content
    detail = response.json()["detail"]
    assert task.department.name in detail and "科室负责人或处置责任人" in detail
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.status == "open" and task.finding == "pending"
    assert case.finding == "pending" and case.verified_at is None


def test_a_department_cannot_submit_another_departments_task_through_the_page(cast, two_tasks):
    case, zg, _nf = two_tasks
    client = cast.client(cast.other_head)
    page = client.get(f"/cases/{case.pk}/verifications/{zg.pk}/").content.decode()
    assert "提交核实结果" not in page  # no form for a task of another department
    response = client.post(f"/cases/{case.pk}/verifications/{zg.pk}/", {**VERIFIED, "finding": "false"})
    assert response.status_code == 403
    assert "征管科" in response.content.decode()
    zg.refresh_from_db()
    case.refresh_from_db()
    assert zg.status == "open" and case.finding == "pending"


def test_the_service_itself_refuses_a_task_of_another_department(cast, two_tasks):
    _case, _zg, nf = two_tasks
    with pytest.raises(ProcedureError) as exc:
        services.verification_submit(task=nf, user=cast.head, data=VERIFIED)
    assert exc.value.code == "forbidden" and "纳税服务科" in exc.value.message


def test_each_department_submits_its_own_task(cast, two_tasks):
    case, zg, nf = two_tasks
    response = cast.api(cast.other_head).post(
        _result_url(case, nf), {**VERIFIED, "finding": "partly_true"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    response = cast.client(cast.handler).post(f"/cases/{case.pk}/verifications/{zg.pk}/", VERIFIED)
    assert response.status_code == 302
    assert set(VerificationTask.objects.filter(case=case).values_list("status", flat=True)) == {"submitted"}
    case.refresh_from_db()
    assert case.finding == "true"
