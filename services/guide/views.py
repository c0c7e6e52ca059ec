"""The guide's public pages: /guide/ and /guide/<department-code>/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def guide_index(request: HttpRequest) -> HttpResponse:
    departments = [d for d in selectors.guide_departments() if getattr(d, "matter_count", 0)]
    services = list(selectors.hall_services())
    return render(request, "guide/index.html", {"departments": departments, "services": services})


def guide_department(request: HttpRequest, code: str) -> HttpResponse:
    department = selectors.department_guide(code)
    if department is None:
        raise Http404
    return render(
        request, "guide/department.html", {"department": department, "matters": list(department.matters.all())}
    )
