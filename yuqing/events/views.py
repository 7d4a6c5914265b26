"""Pages of the analysis results: events, alerts, monitoring plans (监测方案), and staff corrections of an
item's labels (they become training examples: :func:`yuqing.events.services.label_correct`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yuqing import vocab
from yuqing.analysis.plans import Doc
from yuqing.events import alerts as alert_services
from yuqing.events import selectors, services
from yuqing.events.models import Alert, Event, MonitoringPlan
from yuqing.items.models import Item
from yuqing.org import access


@access.role_required(*access.FEED_READERS)
def event_list(request: HttpRequest) -> HttpResponse:
    severity = request.GET.get("severity", "")
    phase = request.GET.get("phase", "")
    severity = severity if severity in vocab.SEVERITIES else ""
    phase = phase if phase in vocab.PHASES else ""
    rows = list(selectors.event_list(severity=severity, phase=phase)[:200])
    return render(
        request,
        "events/list.html",
        {
            "events": rows,
            "severity": severity,
            "phase": phase,
            "severities": list(vocab.SEVERITIES.items()),
            "phases": list(vocab.PHASES.items()),
        },
    )


@access.role_required(*access.FEED_READERS)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    obj = get_object_or_404(Event, id=event_id)
    if obj.merged_into_id:
        return redirect("events:detail", obj.merged_into_id)
    members = selectors.event_members(obj)
    chart = {
        "hourly": obj.hourly,
        "sentiment": [
            {"name": vocab.SENTIMENTS.get(k, k), "value": v} for k, v in (obj.sentiment or {}).items()
        ],
        "propagation": obj.propagation,
    }
    return render(
        request,
        "events/detail.html",
        {
            "event": obj,
            "members": members,
            "chart": chart,
            "alerts": obj.alerts.select_related("acknowledged_by__person").order_by("-created_at"),
            "categories": [(vocab.CATEGORIES.get(k, k), v) for k, v in (obj.categories or {}).items()],
            "media_types": [(vocab.MEDIA_TYPES.get(k, k), v) for k, v in (obj.media_types or {}).items()],
        },
    )


@access.role_required(*access.FEED_READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("open") == "1"
    rows = list(selectors.alert_list(open_only=open_only)[:200])
    return render(request, "events/alerts.html", {"alerts": rows, "open_only": open_only})


@access.role_required(*access.FEED_READERS)
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(Alert, id=alert_id)
    try:
        alert_services.alert_acknowledge(alert, user=request.user)
        messages.success(request, "已确认预警，升级计时已停止")
    except alert_services.AlertError as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") or "events:alerts")


@access.role_required(*access.LABEL_CORRECTORS)
@require_POST
def label_correct(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item, id=item_id)
    field = request.POST.get("field", "")
    try:
        if field == "categories":
            value: object = request.POST.getlist("categories")
        elif field == "tax_related":
            value = request.POST.get("value") == "1"
        else:
            value = request.POST.get("value", "")
        services.label_correct(item=item, field=field, value=value, user=request.user)
        messages.success(request, "已更正，该更正将用于下次模型训练（yuqing train）")
    except ValueError as exc:
        messages.error(request, f"更正未保存：{exc}")
    return redirect("items:detail", item.id)


class MonitoringPlanForm(ModelForm):
    class Meta:
        model = MonitoringPlan
        fields = list(services.MONITORING_PLAN_FIELDS)


@access.role_required(*access.PLAN_READERS)
def monitoring_plans(request: HttpRequest) -> HttpResponse:
    return render(request, "events/monitoring_plans.html", {"plans": MonitoringPlan.objects.order_by("name")})


@access.role_required(*access.PLAN_EDITORS)
def monitoring_plan_edit(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = get_object_or_404(MonitoringPlan, id=plan_id) if plan_id else None
    form = MonitoringPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        saved = services.monitoring_plan_save(actor=request.user, plan=plan, data=form.cleaned_data)
        messages.success(request, f"监测方案“{saved.name}”已保存")
        return redirect("events:monitoring_plans")
    return render(request, "events/monitoring_plan_edit.html", {"form": form, "plan": plan})


@access.role_required(*access.PLAN_EDITORS)
@require_POST
def monitoring_plan_check(request: HttpRequest) -> HttpResponse:
    """HTMX: validate the plan being edited and try it on a sample text, before saving."""
    plan = MonitoringPlan(
        name="(预览)",
        region_words=request.POST.get("region_words", ""),
        subject_words=request.POST.get("subject_words", ""),
        event_words=request.POST.get("event_words", ""),
        exclude_words=request.POST.get("exclude_words", ""),
        expression=request.POST.get("expression", ""),
    )
    error = ""
    hits = None
    try:
        plan.clean()
        sample = request.POST.get("sample", "").strip()
        if sample:
            match = plan.compile().match(Doc(title="", content=sample))
            hits = [] if match is None else [f"{h.word}（{h.field} 第{h.start + 1}字）" for h in match.hits]
    except ValidationError as exc:
        error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return render(request, "events/_monitoring_plan_check.html", {"error": error, "hits": hits})
