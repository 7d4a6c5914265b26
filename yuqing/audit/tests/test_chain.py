"""The audit chain: append-only, SM3-linked, and `yuqing audit verify` finds edits and deletions."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from yuqing.audit.hashing import GENESIS, sm3_hex, sm3_hex_gmssl
from yuqing.audit.models import AuditChainHead, AuditEntry, AuditImmutableError
from yuqing.audit.services import AuditError, audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(django_user_model):
    """A bare account: the chain tests start from an empty trail, which creating a staff profile with
    roles (the shared ``clerk`` persona) would already have written to."""
    return django_user_model.objects.create_user("clerk")


def record(n: int, actor=None) -> list[AuditEntry]:
    entries = []
    with transaction.atomic():
        for i in range(n):
            entries.append(
                audit_record(
                    actor=actor,
                    action="test.write",
                    obj=("tests.thing", i, f"第{i}件"),
                    old={"value": i},
                    new={"value": i + 1, "note": "变更"},
                )
            )
    return entries


def verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_sm3_gives_the_gm_t_0004_example_digest_with_openssl_and_gmssl():
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abc") == expected
    assert sm3_hex_gmssl(b"abc") == expected
    text = "涉税舆情审计记录".encode() * 40
    assert sm3_hex(text) == sm3_hex_gmssl(text)


def test_entries_are_numbered_and_each_holds_the_previous_hash(clerk):
    first, second, third = record(3, actor=clerk)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len(first.hash) == 64 and first.hash == first.compute_hash()
    assert first.actor_label == "clerk"
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, third.hash)


def test_the_hash_covers_every_recorded_field(clerk):
    (entry,) = record(1, actor=clerk)
    original = entry.compute_hash()
    for field, value in [
        ("actor_label", "别人"),
        ("action", "test.other"),
        ("object_id", "99"),
        ("old", {"value": 7}),
        ("new", None),
        ("ip", "10.0.0.9"),
        ("request_id", "forged"),
        ("prev_hash", "1" * 64),
    ]:
        saved = getattr(entry, field)
        setattr(entry, field, value)
        assert entry.compute_hash() != original, field
        setattr(entry, field, saved)
    assert entry.compute_hash() == original


def test_stored_entries_read_back_to_the_same_hash():
    record(2)
    for entry in AuditEntry.objects.all():
        assert entry.compute_hash() == entry.hash


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    (entry,) = record(1)
    entry = AuditEntry.objects.get(seq=1)
    entry.action = "test.forged"
    with pytest.raises(AuditImmutableError, match="只能追加"):
        entry.save()
    with pytest.raises(AuditImmutableError):
        entry.delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.filter(seq=1).update(action="test.forged")
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.create(seq=2, at=entry.at, actor_label="x", action="x", prev_hash="", hash="y")
    assert AuditEntry.objects.get(seq=1).action == "test.write"


def test_values_that_json_cannot_hold_are_stored_as_text_and_still_verify():
    from datetime import date
    from decimal import Decimal

    with transaction.atomic():
        audit_record(
            actor=None,
            action="test.odd",
            obj=None,
            new={"when": date(2026, 1, 2), "hours": Decimal("1.5"), "nan": float("nan"), "nul": "a\x00b"},
        )
    entry = AuditEntry.objects.get()
    assert entry.new == {"when": "2026-01-02", "hours": "1.5", "nan": "nan", "nul": "ab"}
    assert entry.actor_label == "系统"
    assert audit_verify().ok


def test_verify_passes_on_an_intact_chain_and_prints_the_count():
    record(5)
    out = verify()
    assert "审计链完好：共 5 条记录" in out
    assert AuditChainHead.objects.get().hash in out


def test_verify_passes_on_an_empty_chain():
    assert "共 0 条" in verify()


def test_an_entry_edited_with_raw_sql_is_named_by_verify():
    record(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["被篡改", 3])
    with pytest.raises(CommandError, match=r"seq=3") as exc:
        verify()
    assert exc.value.returncode == 1
    assert "第 3 条审计记录的内容与其哈希不符" in str(exc.value)


def test_an_edit_with_a_recomputed_hash_is_caught_by_the_next_entry():
    record(4)
    entry = AuditEntry.objects.get(seq=2)
    entry.new = {"value": 999}
    forged = entry.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET new = %s, hash = %s WHERE seq = 2", ['{"value": 999}', forged]
        )
    report = audit_verify()
    assert not report.ok and report.first_bad == 3 and "前序哈希" in report.reason


def test_an_entry_deleted_with_raw_sql_is_named_by_verify():
    record(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    with pytest.raises(CommandError, match=r"seq=2") as exc:
        verify()
    assert "第 2 条审计记录缺失" in str(exc.value)
    assert exc.value.returncode == 1


def test_deleting_the_newest_entries_is_noticed_through_the_chain_head():
    record(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq >= 4")
    report = audit_verify()
    assert not report.ok and report.first_bad == 4
    assert "第 4–5 条" in report.reason and "末尾" in report.reason


def test_a_deleted_chain_head_is_reported_and_blocks_further_appends():
    record(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert not audit_verify().ok
    with pytest.raises(AuditError, match="链头"), transaction.atomic():
        audit_record(actor=None, action="test.after", obj=None)


def test_verify_reads_only_up_to_the_head_so_a_concurrent_append_is_not_damage():
    record(3)
    report = audit_verify()
    assert report.ok and report.count == report.head_seq == 3


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(AuditError, match="事务"):
        audit_record(actor=None, action="test.autocommit", obj=None)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_entry_rolls_back_with_the_write_it_records(clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=clerk, action="test.write", obj=clerk)
        raise RuntimeError("the write failed")
    assert not AuditEntry.objects.exists()
    with transaction.atomic():
        entry = audit_record(actor=clerk, action="test.write", obj=clerk)
    assert entry.seq == 1 and audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database; SQLite's IMMEDIATE transactions serialise writers by design")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(15):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", obj=None)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 61))
    report = audit_verify()
    assert report.ok and report.count == 60


@pytest.mark.django_db(transaction=True)
def test_verify_running_alongside_writers_never_reports_their_appends_as_damage() -> None:
    """Cases opened (a twin row and its entry) and plain entries appended while verify runs: every run
    reports the chain whole, although it reads the head, the cross-checked tables and the entries at
    different moments."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database; SQLite's IMMEDIATE transactions serialise writers by design")
    from yuqing.cases.services import case_open
    from yuqing.org import access
    from yuqing.testing.factories import make_persona

    office = make_persona("v_office", "应急办成员丙", access.OFFICE_MEMBER, department="办公室")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(12):
                case_open(user=office, title=f"并发立案{n}-{i}", severity="general")
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", obj=None)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    reports = []
    while any(t.is_alive() for t in threads):
        reports.append(audit_verify())
    for t in threads:
        t.join()
    reports.append(audit_verify())
    assert errors == []
    bad = [r for r in reports if not r.ok]
    assert bad == [], bad[0].problems if bad else ""
    assert reports[-1].count == AuditEntry.objects.count()
