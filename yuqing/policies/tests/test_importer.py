from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yuqing.audit.models import AuditEntry
from yuqing.policies import demo, services
from yuqing.policies.models import PolicyDocument, Validity

pytestmark = pytest.mark.django_db

GOOD = """国家税务总局测试局关于进一步规范发票管理的通知
全文有效
2018-05-20
测税发〔2018〕7号
局内各科室：
为加强增值税发票管理，现就有关事项通知如下。
一、纳税人应当按规定开具发票。
国家税务总局测试局
2018年5月20日
根据有关要求，国家税务总局某税务局对部分文件进行了修改，现将...
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_seed_style_text_file_is_imported_with_its_number_issuer_and_validity(tmp_path):
    report = services.policies_import([write(tmp_path, "good.txt", GOOD)])

    assert (report.created, report.rejected) == (1, [])
    policy = PolicyDocument.objects.get()
    assert policy.title == "国家税务总局测试局关于进一步规范发票管理的通知"
    assert policy.doc_number == "测税发〔2018〕7号"
    assert policy.issuer == "国家税务总局测试局"
    assert str(policy.issued_on) == "2018-05-20"
    assert policy.validity == Validity.VALID
    assert policy.text.startswith("测税发〔2018〕7号\n局内各科室")
    assert "现将..." not in policy.text  # the scraped teaser of another page is not part of the document
    assert AuditEntry.objects.filter(action="policy.create", object_id=str(policy.pk)).count() == 1


def test_a_number_cited_in_the_body_is_not_taken_for_the_documents_own(tmp_path):
    text = "某局关于执行增值税政策的通知\n全文有效\n2019年3月1日\n根据《通知》（财税〔2016〕36号）执行。"
    services.policies_import([write(tmp_path, "cite.txt", text)])

    policy = PolicyDocument.objects.get()
    assert policy.doc_number == ""
    assert str(policy.issued_on) == "2019-03-01"


def test_a_bad_file_is_rejected_with_file_line_and_reason_and_nothing_is_saved(tmp_path):
    bad = write(tmp_path, "bad.txt", "某局关于税收的通知\n大概有效\n2018-13-45\n正文\n")
    short = write(tmp_path, "short.txt", "只有标题\n")

    report = services.policies_import([bad, short])

    assert report.created == 0
    assert PolicyDocument.objects.count() == 0
    joined = "\n".join(report.rejected)
    assert f"{bad}:2: 效力（validity）无效：“大概有效”" in joined
    assert f"{bad}:3: 发文日期（issued_on）格式无效：“2018-13-45”" in joined
    assert f"{short}" in joined and "文件不足三行" in joined


def test_jsonl_lines_are_imported_and_bad_lines_reported_by_number(tmp_path):
    good = {
        "title": "某局关于车船税的公告",
        "doc_number": "某税公告〔2020〕3号",
        "issuer": "某局",
        "issued_on": "2020-04-01",
        "validity": "条款失效",
        "text": "车船税按年申报缴纳。",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({**good, "title": "", "text": "<script>alert(1)</script>"}, ensure_ascii=False),
        "[1, 2]",
    ]
    path = write(tmp_path, "docs.jsonl", "\n".join(lines))

    report = services.policies_import([path])

    assert report.created == 1
    assert PolicyDocument.objects.get().validity == Validity.CLAUSES_REPEALED
    joined = "\n".join(report.rejected)
    assert f"{path}:3: 不是合法的 JSON" in joined
    assert f"{path}:4: 标题（title）不能为空" in joined
    assert f"{path}:4: 全文（text）含有 HTML 标签" in joined
    assert f"{path}:5: 每行应是一个 JSON 对象" in joined


def test_importing_the_same_file_twice_updates_instead_of_duplicating(tmp_path):
    path = write(tmp_path, "good.txt", GOOD)
    first = services.policies_import([path])
    again = services.policies_import([path])
    path.write_text(GOOD.replace("全文有效", "失效"), encoding="utf-8")
    changed = services.policies_import([path])

    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert (changed.created, changed.updated) == (0, 1)
    assert PolicyDocument.objects.get().validity == Validity.REPEALED
    update = AuditEntry.objects.get(action="policy.update")
    assert (update.old, update.new) == ({"validity": "valid"}, {"validity": "repealed"})


def test_the_command_imports_a_folder_and_fails_loudly_on_rejects(tmp_path, capsys):
    write(tmp_path, "good.txt", GOOD)
    write(tmp_path, "bad.txt", "标题\n全文有效\n不是日期\n正文")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")

    with pytest.raises(CommandError, match="有 1 处问题未导入"):
        call_command("policy", "import", str(tmp_path))

    out = capsys.readouterr()
    assert "新增 1，更新 0，未变 0，拒绝 1" in out.out
    assert "bad.txt:3: 发文日期（issued_on）格式无效" in out.err
    assert PolicyDocument.objects.count() == 1


def test_a_missing_path_is_reported_not_crashed_on(tmp_path):
    report = services.policies_import([tmp_path / "nope.txt"])

    assert report.rejected == [f"{tmp_path / 'nope.txt'}: 文件不存在"]


def test_the_demo_loader_loads_the_bundled_policies_once(tmp_path):
    first = demo.demo_load(seed_dir=tmp_path)
    second = demo.demo_load(seed_dir=tmp_path)

    assert first.created >= 1 and first.rejected == []
    assert second.created == 0 and second.unchanged == first.created
    plan = PolicyDocument.objects.get(title__contains="涉税舆情应急预案")
    assert plan.issuer == "国家税务总局铁门关税务局"
    assert plan.is_demo
