"""What the case look-up adds to other pages: the guide matters for a demand's category, and the
"this may already be answered" list on the submit form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from . import selectors

SHOWN = 3


def demand_section(demand: Any, request: HttpRequest) -> str | None:
    """The tracking and public pages of a demand: the guide matters that apply to its category (1 query)."""
    matters = list(selectors.category_matters(demand.category_id)[:SHOWN])
    if not matters:
        return None
    return render_to_string("search/_matters.html", {"matters": matters, "for_demand": True}, request=request)
