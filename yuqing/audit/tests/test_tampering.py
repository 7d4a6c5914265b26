"""Tampering with the audit trail by someone who can write the database, each run through the real
``yuqing audit verify``: the chain must not be reported whole. The trail is a real one (a case taken to
方案待审批 through the services); the forger's favourite is a 组长批准 of the pending plan.

What cannot be found from inside the database (a careful forger who also rewrites the business rows, or
touches entries nothing else in the database repeats) is stated in the README; those need the head
anchored outside, which is later work."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Field
from django.test import Client

from yuqing.audit.hashing import GENESIS
from yuqing.audit.models import AuditChainHead, AuditEntry
from yuqing.audit.services import audit_record, audit_verify
from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.tests.conftest import cast, event  # noqa: F401 — the procedure's personas
from yuqing.cases.tests.drive import advance, open_case

pytestmark = pytest.mark.django_db
ENTRY = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def trail(cast, settings, tmp_path) -> dict[str, Any]:  # noqa: F811
    """A case at 方案待审批, its last write an evidence upload (so the newest entry has a twin row)."""
    settings.ATTACHMENT_DIR = tmp_path
    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    services.attachment_add(case=case, user=cast.office, name="说明.txt", data="现场照片说明".encode())
    plan = case.plans.get(status="submitted")
    assert audit_verify().ok
    return {"case": case, "plan": plan, "cast": cast}


def verify() -> str:
    """``yuqing audit verify`` as the operator runs it; the CommandError's text when it exits 1."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        assert exc.returncode == 1
        return f"NOT WHOLE\n{exc}"
    return out.getvalue()


# --- raw SQL, as a forger with database access would write it ------------------------------------------


def q(name: str | None) -> str:
    assert name
    return connection.ops.quote_name(name)


def insert_raw(entry: AuditEntry) -> None:
    """INSERT ``entry`` behind the ORM's back (every concrete column but an auto-numbered one)."""
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.auto_created]
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    columns = ", ".join(q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(ENTRY)} ({columns}) VALUES ({marks})", values)


def set_head(seq: int, hash_: str, at: Any = None) -> None:
    with connection.cursor() as cursor:
        if at is None:
            cursor.execute(f"UPDATE {q(HEAD)} SET seq = %s, hash = %s", [seq, hash_])
        else:
            at = AuditChainHead._meta.get_field("updated_at").get_db_prep_save(at, connection)
            cursor.execute(f"UPDATE {q(HEAD)} SET seq = %s, hash = %s, updated_at = %s", [seq, hash_, at])


def column(name: str) -> Field:
    field = AuditEntry._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def update_raw(seq: int, **values: Any) -> None:
    sets = ", ".join(f"{q(column(k).column)} = %s" for k in values)
    params = [column(k).get_db_prep_save(v, connection) for k, v in values.items()]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q(ENTRY)} SET {sets} WHERE {q('seq')} = %s", [*params, seq])


def last() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()  # type: ignore[return-value]


def forged_approval(trail: dict[str, Any], *, seq: int, prev_hash: str) -> AuditEntry:
    """A 组长批准 of the pending plan, numbered ``seq``, hashed as audit_record() would hash it."""
    leader, plan = trail["cast"].leader, trail["plan"]
    entry = AuditEntry(
        seq=seq,
        at=last().at + timedelta(minutes=5),
        actor=leader,
        actor_label=f"{leader.person.name}（{leader.username}）",
        action="plan.approve",
        object_type="cases.responseplan",
        object_id=str(plan.pk),
        object_repr=str(plan),
        old={"status": "submitted"},
        new={"status": "approved", "comments": "同意"},
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    return entry


# --- the tamperings -----------------------------------------------------------------------------------


def row_beyond_head_with_garbage_hash(trail: dict[str, Any]) -> str:
    tail = last()
    entry = forged_approval(trail, seq=tail.seq + 1, prev_hash=tail.hash)
    entry.hash = "f" * 64
    insert_raw(entry)
    return "链头"


def row_beyond_head_with_valid_hash(trail: dict[str, Any]) -> str:
    tail = last()
    insert_raw(forged_approval(trail, seq=tail.seq + 1, prev_hash=tail.hash))
    return "链头"


def last_row_deleted_and_head_moved_back(trail: dict[str, Any]) -> str:
    tail = last()
    before = AuditEntry.objects.get(seq=tail.seq - 1)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {q(ENTRY)} WHERE {q('seq')} = %s", [tail.seq])
    set_head(before.seq, before.hash, before.at)  # a careful forger moves the head's time back too
    return "证据材料"


def forged_row_appended_with_the_head_moved(trail: dict[str, Any]) -> str:
    tail = last()
    entry = forged_approval(trail, seq=tail.seq + 1, prev_hash=tail.hash)
    insert_raw(entry)
    set_head(entry.seq, entry.hash, entry.at)
    return "找不到对应的签发/审批记录"


def every_entry_and_the_head_deleted(trail: dict[str, Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {q(ENTRY)}")
        cursor.execute(f"DELETE FROM {q(HEAD)}")
    return "审计链为空"


def middle_row_edited_and_the_whole_chain_recomputed(trail: dict[str, Any]) -> str:
    """The 通报 (new → notified) is made to look like the 组长's own act; every later hash and the head
    are recomputed so that the chain is consistent again."""
    leader = trail["cast"].leader
    edited = AuditEntry.objects.filter(action="case.transition").order_by("seq").first()
    assert edited is not None
    prev = (
        AuditEntry.objects.filter(seq__lt=edited.seq).order_by("-seq").values_list("hash", flat=True).first()
    )
    prev = prev or GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=edited.seq).order_by("seq"):
        if entry.seq == edited.seq:
            entry.actor_id, entry.actor_label = leader.pk, f"{leader.person.name}（{leader.username}）"
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        update_raw(
            entry.seq, actor=entry.actor_id, actor_label=entry.actor_label, prev_hash=prev, hash=entry.hash
        )
        prev = entry.hash
    set_head(last().seq, prev)
    return "操作人不符"


def primary_key_changed(trail: dict[str, Any]) -> str:
    pk = AuditEntry._meta.pk.column
    middle = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q(ENTRY)} SET {q(pk)} = {q(pk)} + 1000 WHERE {q('seq')} = %s", [middle.seq])
    return "缺失"


TAMPERINGS = [
    row_beyond_head_with_garbage_hash,
    row_beyond_head_with_valid_hash,
    last_row_deleted_and_head_moved_back,
    forged_row_appended_with_the_head_moved,
    every_entry_and_the_head_deleted,
    middle_row_edited_and_the_whole_chain_recomputed,
    primary_key_changed,
]


def test_the_untampered_trail_verifies_whole(trail):
    out = verify()
    assert out.startswith("审计链完好") and f"共 {AuditEntry.objects.count()} 条记录" in out


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=[t.__name__ for t in TAMPERINGS])
def test_verify_reports_the_tampered_trail_as_not_whole(trail, tamper):
    problem = tamper(trail)
    out = verify()
    assert out.startswith("NOT WHOLE"), out
    assert problem in out, out


def test_a_head_moved_back_by_hand_is_noticed_even_over_an_entry_nothing_else_repeats(trail):
    with transaction.atomic():
        audit_record(actor=trail["cast"].auditor, action="audit.export", obj=None, new={"filters": {}})
    tail = last()
    before = AuditEntry.objects.get(seq=tail.seq - 1)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {q(ENTRY)} WHERE {q('seq')} = %s", [tail.seq])
    set_head(before.seq, before.hash)
    out = verify()
    assert out.startswith("NOT WHOLE") and "链头的更新时间" in out


def test_a_forged_row_beyond_the_head_is_marked_unverified_on_the_audit_page(trail, auditor):
    row_beyond_head_with_valid_hash(trail)
    forged = last()
    client = Client()
    client.force_login(auditor)
    html = client.get("/audit/").content.decode()
    assert "序号在链头" in html  # the banner
    cell = html.split(f'<td class="num">{forged.seq}', 1)[1].split("</td>", 1)[0]
    assert "未验证" in cell
    genuine = html.split(f'<td class="num">{forged.seq - 1}', 1)[1].split("</td>", 1)[0]
    assert "未验证" not in genuine
    response = client.get("/audit/export.csv")
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    line = next(r for r in rows if r.startswith(f"{forged.seq},"))
    assert line.endswith("未验证：在链头之后")


def test_after_a_forged_row_beyond_the_head_an_audited_write_fails_clearly_and_writes_nothing(trail):
    cast_ = trail["cast"]
    case = trail["case"]
    api = cast_.api(cast_.office)  # issuing a token is itself audited: before the forgery
    row_beyond_head_with_valid_hash(trail)
    count = AuditEntry.objects.count()
    coordination = {
        "counterpart": "网信办",
        "contact_person": "王科长",
        "channel": "电话",
        "request": "协调删除不实帖子",
        "outcome": "同意",
    }
    response = api.post(
        f"/api/v1/cases/{case.pk}/coordination", coordination, content_type="application/json"
    )
    assert response.status_code == 503, response.content
    assert "链头" in response.json()["detail"] and "yuqing audit verify" in response.json()["detail"]
    page = cast_.client(cast_.office).post(f"/cases/{case.pk}/coordination/", coordination)
    assert page.status_code == 503
    assert "审计链异常" in page.content.decode() and "没有保存" in page.content.decode()
    assert AuditEntry.objects.count() == count
    assert not case.coordination.exists()
    case.refresh_from_db()
    assert case.state == cv.PLAN_PENDING
