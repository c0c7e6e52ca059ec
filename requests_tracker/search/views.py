"""/cases/: 案例查询, the search page with its filters and highlighted snippets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from buildings.selectors import building_list, districts_with_buildings
from requests_tracker.models import Category
from services.guide.selectors import matters_by_ids

from . import cache as answers
from . import engine, selectors
from .engine import MAX_QUERY

PAGE = 10


def cases(request: HttpRequest) -> HttpResponse:
    params = selectors.parse(request.GET)
    searched = bool(params.raw["q"])
    count, hits = 0, list[engine.Hit]()
    raw_page = request.GET.get("page", "1")
    page_number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1000 else 1
    if searched and not params.errors:
        count, hits = answers.search(params.q, params.filters, limit=PAGE, offset=(page_number - 1) * PAGE)
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
            "count_capped": count >= engine.MAX_CANDIDATES,
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


SUGGESTED = 3


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The submit form's "this may already be answered": guide matters for the category and the words
    typed so far (an HTML fragment for static/guide/suggest.js; empty when nothing fits)."""
    params = selectors.parse({"q": request.GET.get("q", "")[:MAX_QUERY], "category": request.GET.get("category", "")})
    matters: list[Any] = []
    category_id = params.filters.category_id
    if params.q and "category" not in params.errors:
        ids = [h.id for h in answers.search(params.q, replace(params.filters, kind="matter"), limit=SUGGESTED)[1]]
        found = matters_by_ids(ids)
        matters = [found[i] for i in ids if i in found]
    if not matters and category_id is not None:
        matters = list(selectors.category_matters(category_id)[:SUGGESTED])
    return render(request, "search/_matters.html", {"matters": matters})
