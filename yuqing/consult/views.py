"""会商 and working-group decision pages. Thin: parse the form, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yuqing.cases.models import Case
from yuqing.cases.selectors import case_get
from yuqing.consult import selectors, services
from yuqing.consult.forms import CompleteForm, DecisionForm, MeetingForm, refusal_to_form
from yuqing.consult.models import ConsultationAction
from yuqing.core.errors import ServiceError
from yuqing.org import access


def _case(request: HttpRequest, case_id: int) -> Case:
    case = case_get(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("案件不存在或您无权查看")
    return case


@access.role_required(*services.READERS)
def case_records(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    return render(
        request,
        "consult/case.html",
        {
            "case": case,
            "meetings": selectors.meetings_of(case),
            "decisions": selectors.decisions_of(case),
            "may_record": selectors.may_record(request.user),
        },
    )


@access.role_required(*services.WRITERS)
def meeting_new(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = _case(request, case_id)
    people = [(p.pk, f"{p.name}（{p.department or '局领导'}）") for p in selectors.participant_choices()]
    agencies = [(a.pk, a.name) for a in selectors.agency_choices()]
    form = MeetingForm(request.POST or None, people=people, agencies=agencies)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.consultation_record(case=case, user=request.user, data=form.data_for_service())
        except ServiceError as exc:
            refusal_to_form(form, exc, MeetingForm.aliases())
            status = exc.status
        else:
            messages.success(request, "已登记会商。")
            return redirect("consult:meeting", pk=meeting.pk)
    return render(request, "consult/meeting_form.html", {"case": case, "form": form}, status=status)


@access.role_required(*services.WRITERS)
def decision_new(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = _case(request, case_id)
    deciders = [(u.person.pk, u.person.name) for u in selectors.decider_choices()]
    meetings = [(m.pk, f"{m.held_at:%m-%d} {m.topic}") for m in selectors.meetings_of(case)]
    initial = {"kind": request.GET.get("kind", "")}
    form = DecisionForm(request.POST or None, initial=initial, deciders=deciders, meetings=meetings)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.group_decision_record(case=case, user=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            refusal_to_form(form, exc)
            status = exc.status
        else:
            messages.success(request, "已登记工作组决定。")
            return redirect("consult:case", case_id=case.pk)
    return render(request, "consult/decision_form.html", {"case": case, "form": form}, status=status)


def _reader_or_owner(request: HttpRequest, roles: frozenset[str], **owned: int) -> bool:
    """Whether the user holds one of ``roles`` or owns the follow-up action(s) matched by ``owned``:
    the owner of an action may open its 会商 and mark it done without reading the whole case."""
    if access.cached_roles(request.user) & roles:
        return True
    return ConsultationAction.objects.filter(owner__user_id=request.user.pk or 0, **owned).exists()


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    if not _reader_or_owner(request, services.READERS, meeting_id=pk):
        return access.forbidden(request, services.READERS)
    meeting = selectors.meeting_get(user=request.user, meeting_id=pk)
    if meeting is None:
        raise Http404("会商记录不存在或您无权查看")
    return render(
        request,
        "consult/meeting.html",
        {
            "meeting": meeting,
            "case": meeting.case,
            "actions": [(a, selectors.action_overdue(a)) for a in meeting.actions.all()],
            "may_record": selectors.may_record(request.user),
            "me": getattr(getattr(request.user, "person", None), "pk", None),
            "form": CompleteForm(),
        },
    )


@require_POST
@login_required
def action_complete(request: HttpRequest, pk: int) -> HttpResponseBase:
    if not _reader_or_owner(request, services.WRITERS, pk=pk):
        return access.forbidden(request, services.WRITERS)
    action = selectors.action_get(user=request.user, action_id=pk)
    if action is None:
        raise Http404("落实事项不存在或您无权查看")
    form = CompleteForm(request.POST)
    form.is_valid()
    services.consultation_action_complete(
        action=action, user=request.user, note=form.cleaned_data.get("note", "")
    )
    messages.success(request, "已登记完成。")
    return redirect("consult:meeting", pk=action.meeting_id)
