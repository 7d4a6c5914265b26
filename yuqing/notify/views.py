"""Pages: one's own notifications (and the bell in the nav), the 值班表, one's own notification
preferences, the delivery log."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from yuqing.notify import selectors, services
from yuqing.notify.api import DUTY_READERS, LOG_READERS
from yuqing.notify.duty import duty_shifts_at, week_roster
from yuqing.notify.models import ChannelConfig, DeliveryStatus, NotificationPreference
from yuqing.org import access


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # 全部已读
        marked = services.notifications_mark_read(user=request.user)
        messages.success(request, f"已将 {marked} 条通知标为已读" if marked else "没有未读通知")
        return redirect("notify:notifications")
    rows = selectors.notifications_for(request.user)  # titles of cases above the reader's clearance redacted
    return render(
        request,
        "notify/notifications.html",
        {"notifications": rows, "pending": selectors.pending_count(request.user)},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read from now on, and the reader goes where it points."""
    row = services.notification_open(user=request.user, notification_id=pk)
    if row is None:
        raise Http404("没有这条通知")
    link = row.link if url_has_allowed_host_and_scheme(row.link, allowed_hosts=None) else ""
    return redirect(link or "notify:notifications")


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/_bell.html", {"unread": selectors.pending_count(request.user)})


@access.role_required(*DUTY_READERS)
def duty(request: HttpRequest) -> HttpResponse:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    monday, days = week_roster(day)
    return render(
        request,
        "notify/duty.html",
        {
            "now_on_duty": list(duty_shifts_at()),
            "days": days,
            "monday": monday,
            "prev_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
        },
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ("by_email", "by_sms", "quiet_start", "quiet_end", "min_level")
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(user=request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "通知偏好已保存")
            return redirect("notify:preferences")
    channels = ChannelConfig.objects.filter(enabled=True).order_by("kind", "name")
    person = getattr(request.user, "person", None)
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "channels": channels,
            "email": getattr(request.user, "email", ""),
            "phone": getattr(person, "phone", ""),
        },
    )


@access.role_required(*LOG_READERS)
def deliveries(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = Paginator(selectors.deliveries(status=status), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.deliveries_for(request.user, page.object_list)
    return render(
        request,
        "notify/deliveries.html",
        {
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "counts": selectors.delivery_counts(),
        },
    )
