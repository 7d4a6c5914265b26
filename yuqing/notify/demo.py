"""The demo's duty roster (值班表)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from yuqing.notify.models import DutyShift
from yuqing.org.models import Person


def demo_load() -> None:
    """值班表: the on-duty office member covers today and the next six days (08:00 to 08:00)."""
    person = Person.objects.filter(user__username="duty", is_demo=True).first()
    if person is None or DutyShift.objects.filter(person=person).exists():
        return
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(8)))
    DutyShift.objects.bulk_create(
        DutyShift(
            person=person, start=start + timedelta(days=i), end=start + timedelta(days=i + 1), note="演示值班"
        )
        for i in range(-1, 7)
    )
