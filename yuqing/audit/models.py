"""审计记录: an append-only, hash-chained log of every write (design.md, issue 4 item 4)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.audit.hashing import chain_hash, timestamp

# The fields an entry's hash covers, in no particular order (the canonical JSON sorts them).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "old",
    "new",
    "request_id",
    "ip",
    "prev_hash",
)


class AuditImmutableError(Exception):
    """An attempt to change or remove audit history; the text says what was refused."""


class AuditEntryQuerySet(models.QuerySet):
    """Refuses the bulk paths that would bypass :meth:`AuditEntry.save` and :meth:`AuditEntry.delete`."""

    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("审计记录只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("审计记录只能追加，不能删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutableError("审计记录只能追加，不能修改")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Any]:
        raise AuditImmutableError("审计记录只能通过 audit_record() 逐条写入")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditImmutableError("审计记录只能通过 audit_record() 逐条写入")


class AuditEntry(models.Model):
    """One write: who did what to which object, old → new, from which request; chained by SM3.

    Written only by :func:`yuqing.audit.services.audit_record`. Saving an existing entry or deleting
    one raises :class:`AuditImmutableError`; changes made behind the ORM's back (raw SQL) are what
    ``yuqing audit verify`` finds.
    """

    # The sequence number is the primary key: the hash covers it, so a row cannot be renumbered (moved
    # in the chain or past its head) without the change being found.
    seq = models.PositiveBigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # PROTECT: a user who wrote history cannot be deleted (deactivate instead), so actor_id, which the
    # hash covers, never changes under the entry.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人账号"),
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, default="", db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    object_repr = models.CharField(_("对象"), max_length=300, blank=True, default="")
    old = models.JSONField(_("原值"), null=True, blank=True)
    new = models.JSONField(_("新值"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, default="")
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True, default="")
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希(SM3)"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        # Without object_repr: a case's title must not reach readers below its 密级 through a page
        # title or a breadcrumb (yuqing.audit.redaction).
        target = f" {self.object_type}#{self.object_id}" if self.object_id else ""
        return f"#{self.seq} {self.actor_label} {self.action}{target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError(f"审计记录只能追加，不能修改（第 {self.seq} 条）")
        if not getattr(self, "_chained", False):
            raise AuditImmutableError("审计记录只能通过 audit_record() 写入")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError(f"审计记录只能追加，不能删除（第 {self.seq} 条）")

    def hashed_fields(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in HASHED_FIELDS}
        data["at"] = timestamp(self.at)
        return data

    def compute_hash(self) -> str:
        return chain_hash(self.hashed_fields())


class AuditChainHead(models.Model):
    """The chain's last ``seq`` and ``hash``: one row, locked by every append so that two writers never
    fork the chain, and compared with the last entry so that deleting the newest entries is noticed."""

    seq = models.PositiveBigIntegerField(_("最后序号"), default=0)
    hash = models.CharField(_("最后哈希"), max_length=64)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"第 {self.seq} 条 {self.hash[:16]}…"
