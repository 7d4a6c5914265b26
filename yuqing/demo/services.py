"""Load (or switch off) the demo: sources that poll the app's own demo feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yuqing.analysis.plans import load_default_plan
from yuqing.cases.demo import case_demo_load
from yuqing.demo import feeds
from yuqing.demo.models import DemoClock
from yuqing.events.models import MonitoringPlan
from yuqing.notify.models import DutyShift
from yuqing.org.demo import org_demo_disable, org_load_demo
from yuqing.org.models import Person
from yuqing.policies.services import policies_load_demo
from yuqing.sources.models import Source, SourceKind


def feed_url(slug: str, *, host: str | None = None, port: int | None = None) -> str:
    """Where this instance serves a demo feed (the web server's own address)."""
    host = host or ("127.0.0.1" if settings.HOST in {"0.0.0.0", "::", ""} else settings.HOST)  # noqa: S104
    return f"http://{host}:{port or settings.PORT}/demo/feeds/{slug}.xml"


def demo_sources_follow_port() -> int:
    """Point the demo sources at this instance's current address (``yuqing run`` on another port than
    ``yuqing setup`` used); returns how many changed."""
    changed = 0
    for feed in feeds.feeds():
        changed += (
            Source.objects.filter(name=feed["name"], is_demo=True)
            .exclude(url=feed_url(feed["slug"]))
            .update(url=feed_url(feed["slug"]))
        )
    return changed


@transaction.atomic
def demo_load(*, host: str | None = None, port: int | None = None) -> list[Source]:
    """Create the demo clock and one RSS source per demo feed (idempotent; URLs follow the port)."""
    if not DemoClock.objects.exists():
        DemoClock.objects.create(started_at=timezone.now())
    sources = []
    for feed in feeds.feeds():
        source, _ = Source.objects.update_or_create(
            name=feed["name"],
            defaults={
                "kind": SourceKind.RSS,
                "url": feed_url(feed["slug"], host=host, port=port),
                "media_type": feed["media_type"],
                "poll_interval": 60,
                "intranet": True,
                "is_demo": True,
                "enabled": True,
            },
        )
        sources.append(source)
    monitoring_plan_load_default()
    org_load_demo()
    duty_load_demo()
    policies_load_demo()
    case_demo_load()
    return sources


def duty_load_demo() -> None:
    """值班表: the on-duty office member covers today and the next six days (08:00 to 08:00)."""
    from datetime import datetime, time, timedelta

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


def monitoring_plan_load_default() -> MonitoringPlan:
    """The default 铁门关 monitoring plan shipped with the analysis core (created once, then editable)."""
    data = load_default_plan()
    words = {key: " ".join(data.get(key) or []) for key in ("region", "subject", "event", "exclude")}
    plan, _ = MonitoringPlan.objects.get_or_create(
        name=data["name"],
        defaults={
            "description": data.get("description", "")[:300],
            "region_words": words["region"],
            "subject_words": words["subject"],
            "event_words": words["event"],
            "exclude_words": words["exclude"],
            "expression": data.get("expression", ""),
        },
    )
    return plan


def demo_disable() -> int:
    """YUQING_DEMO=0: stop polling the demo feeds (their items stay, marked as demo)."""
    org_demo_disable()
    return Source.objects.filter(is_demo=True, enabled=True).update(enabled=False)
