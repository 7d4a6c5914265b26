"""Pages of the organisation: the 人才库 roster, one person's record, the external agencies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from yuqing.org import access, selectors
from yuqing.org.models import Department, ExternalAgency, Person


@access.role_required(*access.ROSTER_READERS)
def roster(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    role = role if role in access.ROLE_LABELS else ""
    dept_raw = request.GET.get("department", "")
    department_id = int(dept_raw) if dept_raw.isdigit() else None
    q = request.GET.get("q", "").strip()[:50]
    people = list(selectors.roster(role=role, department_id=department_id, q=q))
    structure = selectors.org_structure()
    return render(
        request,
        "org/roster.html",
        {
            "people": people,
            "group": [
                (access.ROLE_LABELS[r], structure.get(r, []))
                for r in access.Role.values
                if r in access.WORKING_GROUP
            ],
            "office": [
                (access.ROLE_LABELS[r], structure.get(r, []))
                for r in access.Role.values
                if r in access.OFFICE
            ],
            "filters": {"role": role, "department": department_id, "q": q},
            "roles": [(r, access.ROLE_LABELS[r]) for r in access.Role.values],
            "departments": Department.objects.filter(active=True),
            "talent_roles": sorted(access.TALENT_POOL),
        },
    )


@access.role_required(*access.ROSTER_READERS)
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    obj = get_object_or_404(Person.objects.select_related("department", "user"), id=person_id)
    assignments = obj.assignments.select_related("department").order_by("-start_date", "-id")
    return render(
        request,
        "org/person.html",
        {"person": obj, "assignments": assignments, "trainings": obj.trainings.all()},
    )


@access.role_required(*access.ROSTER_READERS)
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "org/agencies.html", {"agencies": ExternalAgency.objects.all()})
