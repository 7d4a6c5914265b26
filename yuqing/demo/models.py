from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoClock(models.Model):
    """When the demo started: demo feeds release their bundled items relative to this moment."""

    started_at = models.DateTimeField()

    class Meta:
        verbose_name = _("演示时钟")
        verbose_name_plural = _("演示时钟")

    def __str__(self) -> str:
        return f"演示开始于 {self.started_at:%Y-%m-%d %H:%M}"
