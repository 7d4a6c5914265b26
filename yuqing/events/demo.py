"""The demo's monitoring plan: the default 铁门关 plan."""

from __future__ import annotations

from yuqing.events.models import MonitoringPlan


def demo_load() -> MonitoringPlan:
    """The default 铁门关 monitoring plan shipped with the analysis core (created once, then editable)."""
    from yuqing.analysis.plans import load_default_plan

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
