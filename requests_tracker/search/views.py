"""/cases/: 案例查询, the search page with its filters and highlighted snippets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from buildings.selectors import building_list, districts_with_buildings
from requests_tracker.models import Category

from . import engine, selectors

PAGE = 10


def cases(request: HttpRequest) -> HttpResponse:
    params = selectors.parse(request.GET)
    searched = bool(params.raw["q"])
    count, hits = 0, list[engine.Hit]()
    raw_page = request.GET.get("page", "1")
    page_number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1000 else 1
    if searched and not params.errors:
        count, hits = engine.search(params.q, params.filters, limit=PAGE, offset=(page_number - 1) * PAGE)
    errors = (
        params.errors if searched or len(params.errors) > 1 else {k: v for k, v in params.errors.items() if k != "q"}
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "search/cases.html",
        {
            "params": params.raw,
            "errors": errors,
            "searched": searched,
            "count": count,
            "hits": hits,
            "page_number": page_number,
            "has_next": page_number * PAGE < count,
            "categories": list(Category.objects.filter(is_active=True)),
            "districts": districts_with_buildings(),
            "buildings": list(building_list()),
            "outcomes": selectors.outcome_choices(),
            "years": list(range(this_year, this_year - 4, -1)),
            "kinds": [(k.value, k.label) for k in engine.SearchDocument.Kind],
        },
        status=400 if errors else 200,
    )
