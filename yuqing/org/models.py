"""The organisation of the plan (一 组织体系, 三(一) 人力保障): departments, people, role assignments with
dates (so history stays true), training records, external agencies; and per-user API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing.org import access
from yuqing.org.access import Role

TOKEN_PREFIX = "yq_"  # noqa: S105 — a visible prefix, not a secret
_SKILL_SPLIT = re.compile(r"[\s,，、;；/]+")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("前缀"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class Department(models.Model):
    """A 科室 of the bureau; the plan names nine (办公室 … 纪检组). Renamed or added in admin."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A member of staff: the profile of one login account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person", verbose_name=_("登录账号")
    )
    name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("所在科室"),
        help_text=_("局领导可不填"),
    )
    title = models.CharField(_("职务"), max_length=100, blank=True, default="")
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, default="")
    skills = models.CharField(
        _("技能专长"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("用顿号、逗号或空格分隔，如：政策解读、新闻写作、短视频制作"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["department__position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return [s for s in _SKILL_SPLIT.split(self.skills or "") if s]


def _today():
    return timezone.localdate()


class RoleAssignment(models.Model):
    """A person holding a role from ``start_date`` until the day before ``end_date``.

    Rows are ended, never deleted or rewritten, so "who was 值班 when the alert was raised" stays
    answerable. ``end_date`` is the first day the role is no longer held (see ``access.current_q``).
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("人员")
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, db_index=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("代表科室"),
        help_text=_("应急办成员、科室负责人、处置责任人须填写；默认取人员所在科室"),
    )
    start_date = models.DateField(_("任职日期"), default=_today)
    end_date = models.DateField(
        _("卸任日期"), null=True, blank=True, help_text=_("自该日起不再担任；空表示仍在任")
    )
    on_duty = models.BooleanField(
        _("值班中"), default=False, help_text=_("仅对应急办成员有效：预警首先通知值班成员")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色任职")
        verbose_name_plural = _("角色任职")
        ordering = ["role", "department__position", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="role_ends_after_it_starts",
                violation_error_message="卸任日期必须晚于任职日期",
            ),
            models.UniqueConstraint(
                fields=["role", "department"],
                condition=Q(end_date__isnull=True, role__in=sorted(access.PER_DEPARTMENT_ROLES)),
                name="one_open_holder_per_department",
                violation_error_message="该科室已有人担任此角色：请先填写其卸任日期",
            ),
            models.UniqueConstraint(
                fields=["role"],
                condition=Q(end_date__isnull=True, role__in=sorted(access.SINGLE_HOLDER_ROLES)),
                name="one_open_holder_of_single_roles",
                violation_error_message="此角色同一时间只能由一人担任：请先填写现任者的卸任日期",
            ),
        ]

    def __str__(self) -> str:
        where = f"（{self.department}）" if self.department_id else ""
        return f"{self.person} · {self.get_role_display()}{where}"

    def clean(self) -> None:
        if self.department_id is None and self.person_id is not None:
            self.department_id = self.person.department_id
        if self.role in access.DEPARTMENT_ROLES and self.department_id is None:
            raise ValidationError({"department": "该角色须指定代表科室"})
        if self.on_duty and self.role != access.OFFICE_MEMBER:
            raise ValidationError({"on_duty": "只有舆情应急办成员可以设为值班"})

    def is_current(self, at=None) -> bool:
        day = access.as_day(at)
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


class TrainingRecord(models.Model):
    """A course attended (三(一) 加强对税收舆情工作人员的培训)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("人员")
    )
    course = models.CharField(_("课程"), max_length=200)
    date = models.DateField(_("日期"))
    hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    organizer = models.CharField(_("主办单位"), max_length=100, blank=True, default="")
    notes = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="training_hours_positive",
                violation_error_message="学时须大于 0",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.course}（{self.hours} 学时）"


class AgencyKind(models.TextChoices):
    PRESS_OFFICE = "press_office", _("政府新闻办")
    PROPAGANDA = "propaganda", _("党委宣传部门")
    POLICE = "police", _("公安机关")
    INTERNET_REGULATOR = "internet_regulator", _("网管部门")
    PRESS_PUBLICATION = "press_publication", _("新闻出版")
    PETITION = "petition", _("信访")
    SUPERIOR_TAX = "superior_tax", _("上级税务机关")
    WEBSITE = "website", _("新闻网站/知名网站")
    OTHER = "other", _("其他")


class ExternalAgency(models.Model):
    """An outside body the office coordinates with (一(三), 二(五) 协调配合)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=30, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True, default="")
    phone = models.CharField(_("联系电话"), max_length=50, blank=True, default="")
    url = models.URLField(_("网址"), blank=True, default="")
    notes = models.TextField(_("备注"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("外部协调单位")
        verbose_name_plural = _("外部协调单位")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
