"""政策库 pages: list with search and filters, and the full text. Any logged-in user may read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from yuqing.org import access
from yuqing.policies import selectors, services
from yuqing.policies.forms import PolicyForm
from yuqing.policies.models import PolicyDocument, Validity

PAGE_SIZE = 20
MAX_Q = 200
EDITORS = (access.SYSTEM_ADMIN, access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY)


def may_edit(user: object) -> bool:
    """The system administrator and the office's 主任/副主任 maintain the library (API: the same)."""
    return bool(access.cached_roles(user) & set(EDITORS))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    q = request.GET.get("q", "").strip()[:MAX_Q]
    validity = request.GET.get("validity", "")
    if validity and validity not in Validity.values:
        errors["validity"] = "效力筛选无效，已忽略"
        validity = ""
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) >= 1 else 1
    if raw_page != str(page):
        errors["page"] = "页码无效，已显示第 1 页"
    qs = selectors.policy_list(q=q, validity=validity)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    context = {
        "policies": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "count": qs.count(),
        "filters": {"q": q, "validity": validity},
        "validities": selectors.validity_choices(),
        "errors": errors,
        "may_edit": may_edit(request.user),
    }
    return render(request, "policies/index.html", context)


@login_required
def detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(PolicyDocument.objects.defer("search_text"), pk=policy_id)
    return render(request, "policies/detail.html", {"policy": policy, "may_edit": may_edit(request.user)})


@access.role_required(*EDITORS)
def edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    """New policy (no id) or edit one; on a bad value every field keeps what was typed."""
    policy = get_object_or_404(PolicyDocument, pk=policy_id) if policy_id else PolicyDocument()
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                saved = services.policy_save(
                    actor=request.user, policy=policy, data=form.cleaned_data, source="页面录入"
                )
            except services.PolicyInvalid as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                return redirect("policies:detail", policy_id=saved.pk)
    elif policy.pk:
        initial = {name: getattr(policy, name) for name in services.EDITABLE}
        initial["issued_on"] = policy.issued_on.isoformat()
        form = PolicyForm(initial=initial)
    else:
        form = PolicyForm()
    return render(request, "policies/edit.html", {"form": form, "policy": policy})
