"""The audit trail as the 纪检组 reads it (issue 12 item 6): Chinese action and field names, people's names
instead of ids and logins, local times, before → after instead of JSON, 密级 by name, filters by person,
case, action and period, and a CSV with the same readable columns beside the raw ones."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

import yuqing
from yuqing.audit.labels import CHINESE, NESTED_KEY_LABELS, detail_label
from yuqing.audit.models import AuditEntry
from yuqing.audit.present import unlabelled_keys
from yuqing.audit.services import audit_record
from yuqing.cases import services as cases
from yuqing.demo.services import demo_load
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?(\.\d+)?Z\b")
JSON = re.compile(r"[{\[]\s*\"")


class _Text(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "datalist"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "datalist"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_of(html: str, seq: int) -> str:
    return visible(html.split(f'<td class="num">{seq}', 1)[1].split("</tr>", 1)[0])


def csv_rows(client: Client, **params) -> list[dict[str, str]]:
    response = client.get("/audit/export.csv", params)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the notifications go out after commit
        demo_load()
    return get_user_model().objects.get(username="auditor")  # 韩冰, 纪检组


def test_every_detail_key_the_demo_writes_has_a_chinese_label(demo):
    assert AuditEntry.objects.count() > 100
    assert unlabelled_keys(AuditEntry.objects.all()) == set()


def test_every_detail_key_the_code_writes_by_name_has_a_chinese_label():
    """The keys of the ``old={…}``/``new={…}`` literals of every ``audit_record`` call in the sources (a
    snapshot's keys are its model's columns, named by their verbose_name)."""
    written: set[tuple[str, str]] = set()
    for path in Path(yuqing.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record"):
                continue
            action = next((k.value for k in node.keywords if k.arg == "action"), None)
            code = action.value if isinstance(action, ast.Constant) else ""
            for keyword in node.keywords:
                if keyword.arg in ("old", "new") and isinstance(keyword.value, ast.Dict):
                    written |= {(code, k.value) for k in keyword.value.keys if isinstance(k, ast.Constant)}
    assert len(written) > 50
    unnamed = sorted((code, key) for code, key in written if not CHINESE.search(detail_label(code, "", key)))
    assert not unnamed, f"这些审计明细字段没有中文名称（yuqing/audit/labels.py）：{unnamed}"


def test_the_demo_trail_reads_in_chinese_with_names_and_local_times(demo):
    client = client_for(demo)
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    logins = set(get_user_model().objects.values_list("username", flat=True))
    pages = AuditEntry.objects.count() // 50 + 1
    for page in range(1, pages + 1):
        text = visible(client.get("/audit/", {"page": page}).content.decode())
        shown = [code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
        assert not shown, f"第 {page} 页显示了英文动作代码：{shown}"
        assert not ISO_TIME.search(text), ISO_TIME.search(text)
        assert not JSON.search(text), text[JSON.search(text).start() - 80 :][:200]  # type: ignore[union-attr]
        assert "None" not in text and "True" not in text and "False" not in text
        assert not [f"（{login}）" for login in logins if f"（{login}）" in text], "操作人显示了登录名"
    html = client.get("/audit/", {"action": "case.open"}).content.decode()
    opened = AuditEntry.objects.get(action="case.open")
    row = row_of(html, opened.seq)
    assert "立案" in row and "杨帆" in row and "密级 内部" in row and "舆情等级 重大(Ⅱ级)" in row
    when = timezone.localtime(opened.at)
    assert f"{when.month}月{when.day}日 {when:%H:%M}" in row


def test_the_notified_people_are_named_not_numbered(demo):
    entry = AuditEntry.objects.filter(action="notify.dispatch").order_by("seq").first()
    names = [get_user_model().objects.get(pk=pk).person.name for pk in entry.new["recipients"]]
    html = client_for(demo).get("/audit/", {"action": "notify.dispatch"}).content.decode()
    row = row_of(html, entry.seq)
    assert "接收人" in row and all(name in row for name in names)
    assert "发送通知" in row and "通知级别 重大(Ⅱ级)" in row


def test_a_change_reads_before_and_after_in_chinese(demo):
    entry = AuditEntry.objects.get(action="plan.approve")
    row = row_of(client_for(demo).get("/audit/", {"action": "plan.approve"}).content.decode(), entry.seq)
    assert "审批通过应对方案" in row
    assert re.search(r"状态\s+待审批\s+→\s+已批准", row), row
    assert "submitted" not in row and "approved" not in row


def test_an_escalation_chain_is_shown_by_names_in_order(auditor):
    duty = make_persona("e_duty", "值班员丙", access.OFFICE_MEMBER, department="办公室")
    director = make_persona("e_director", "主任丁", access.OFFICE_DIRECTOR, department="办公室")
    with transaction.atomic():  # as yuqing.events.alerts writes them
        raised = audit_record(
            actor=None,
            action="alert.raise",
            obj=("events.alert", 7, "预警：办税厅排队"),
            new={"level": "major", "reason": "重大舆情", "chain": [duty.pk, director.pk]},
        )
        escalated = audit_record(
            actor=None,
            action="alert.escalate",
            obj=("events.alert", 7, "预警：办税厅排队"),
            new={"at": timezone.now().isoformat(), "to": director.pk},
        )
    html = client_for(auditor).get("/audit/").content.decode()
    assert "升级链 值班员丙 → 主任丁" in row_of(html, raised.seq)
    row = row_of(html, escalated.seq)
    assert "预警超时升级" in row and "升级至 主任丁" in row and str(director.pk) not in row.split("主任丁")[1]
    assert not ISO_TIME.search(row)


def test_times_are_local_with_the_year_only_when_not_this_year(auditor, clerk):
    last_year = timezone.make_aware(datetime(2025, 12, 31, 23, 30))
    with time_machine.travel(last_year, tick=False), transaction.atomic():
        old = audit_record(actor=clerk, action="source.create", obj=("sources.source", 1, "去年的源"))
    with transaction.atomic():
        new = audit_record(actor=clerk, action="source.create", obj=("sources.source", 2, "今年的源"))
    html = client_for(auditor).get("/audit/").content.decode()
    assert "2025年12月31日 23:30" in row_of(html, old.seq)  # Asia/Shanghai, not 15:30Z
    at = timezone.localtime(new.at)
    assert f"{at.month}月{at.day}日 {at:%H:%M}" in row_of(html, new.seq)
    assert str(at.year) not in row_of(html, new.seq) and "Z" not in row_of(html, new.seq)


@pytest.fixture
def two_cases(db):
    director = make_persona("r_director", "应急办主任乙", access.OFFICE_DIRECTOR, department="办公室")
    zg = Department.objects.get_or_create(name="征管科")[0]
    opened = []
    for title in ("办税厅排队", "网传定额上调"):
        case = cases.case_open(user=director, title=title, severity="major", description="线索")
        cases.verification_assign(case=case, user=director, department_id=zg.pk, instructions=f"核实{title}")
        opened.append(case)
    return director, opened


def test_the_case_filter_keeps_the_entries_about_that_case_and_its_rows(auditor, two_cases):
    _director, (first, _second) = two_cases
    client = client_for(auditor)
    html = client.get("/audit/", {"case": str(first.pk)}).content.decode()
    text = visible(html)
    assert "办税厅排队" in text and "网传定额上调" not in text
    assert "立案" in text and "通报核实任务" in text  # the case, and its verification task
    about = AuditEntry.objects.filter(object_type="cases.case", object_id=str(first.pk)).count()
    assert about >= 1 and f"共 {about + 1} 条" in text  # + the verification task's entry
    assert f'value="{first.pk}"' in html  # the form keeps the filter
    assert f"共 {about + 1} 条" in visible(
        client.get("/audit/", {"case": f"案件{first.pk}"}).content.decode()
    )


def test_a_bad_case_number_is_refused_in_chinese_and_kept_in_the_form(auditor, two_cases):
    html = client_for(auditor).get("/audit/", {"case": "abc<"}).content.decode()
    assert "案件编号须为数字" in html and 'value="abc&lt;"' in html
    assert f"共 {AuditEntry.objects.count()} 条" in html


def test_filters_by_person_action_and_period_are_offered_in_chinese_and_kept_on_the_next_page(
    auditor, two_cases
):
    director, (first, _second) = two_cases
    with transaction.atomic():
        for i in range(55):
            audit_record(actor=director, action="case.finding", obj=first, new={"finding": "pending", "n": i})
    client = client_for(auditor)
    html = client.get("/audit/").content.decode()
    assert '<option value="应急办主任乙">' in html  # the person filter suggests names
    assert ">认定或修改事实认定</option>" in html and "（case.finding）" not in html
    params = {"actor": "应急办主任乙", "case": str(first.pk), "action": "case.finding", "since": "2020-01-01"}
    html = client.get("/audit/", params).content.decode()
    assert "共 55 条" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', html)
    assert next_link is not None
    for key, value in (("case", str(first.pk)), ("action", "case.finding"), ("since", "2020-01-01")):
        assert f"{key}={value}" in next_link.group(1).replace("&amp;", "&")
    page2 = client.get("/audit/" + next_link.group(1).replace("&amp;", "&")).content.decode()
    assert "第 2 页" in page2 and page2.count("认定或修改事实认定</td>") == 5
    until = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "共 0 条" in client.get("/audit/", {**params, "until": until}).content.decode()


def test_the_csv_carries_the_readable_columns_beside_the_raw_ones(auditor, two_cases):
    _director, (first, _second) = two_cases
    rows = csv_rows(client_for(auditor), case=str(first.pk))
    opened = next(r for r in rows if r["动作"] == "case.open")
    assert opened["动作说明"] == "立案" and opened["操作人"] == "应急办主任乙（r_director）"
    assert opened["操作人姓名"] == "应急办主任乙" and opened["对象类型名称"] == "处置案件"
    assert '"severity": "major"' in opened["新值"]  # the raw value stays
    assert "舆情等级：重大(Ⅱ级)" in opened["变更内容（原值 → 新值）"]
    assert "密级：内部" in opened["变更内容（原值 → 新值）"]
    moved = next(r for r in rows if r["动作"] == "case.transition")
    assert re.search(r"案件状态：\S+ → \S+", moved["变更内容（原值 → 新值）"])
    assert not ISO_TIME.search(" ".join(r["变更内容（原值 → 新值）"] for r in rows))


def test_the_readable_csv_column_hides_what_the_reader_may_not_read(admin_user, two_cases):
    _director, (first, _second) = two_cases
    first.__class__.objects.filter(pk=first.pk).update(confidentiality=1)
    rows = csv_rows(client_for(admin_user), case=str(first.pk))
    opened = next(r for r in rows if r["动作"] == "case.open")
    assert opened["变更内容（原值 → 新值）"] == "内容需「敏感」级权限" == opened["新值"]
    assert opened["操作人姓名"] == "应急办主任乙"  # who acted is never hidden


def test_the_checklist_labels_are_the_reviewers_checklist():
    from yuqing.releases.models import CHECKLIST

    assert NESTED_KEY_LABELS["checklist"] == CHECKLIST
