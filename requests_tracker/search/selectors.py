"""Reading search parameters (page and API alike) and the guide matters linked to a category."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from buildings.models import Building, District, Subdistrict
from requests_tracker.models import Category
from requests_tracker.workflow import Outcome
from services.guide.models import Matter

from .engine import MAX_QUERY, Filters
from .indexing import SEARCHABLE_OUTCOMES
from .models import CategoryMatter, SearchDocument

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


@dataclass
class Params:
    q: str
    filters: Filters
    errors: dict[str, str]
    raw: dict[str, str]


def parse(params: Mapping[str, str]) -> Params:
    """The query and filters from GET parameters; unknown filter values are errors, never a query."""
    raw = {
        k: str(params.get(k, "")).strip()
        for k in ("q", "category", "district", "subdistrict", "building", "outcome", "year", "kind")
    }
    errors: dict[str, str] = {}
    q = raw["q"]
    if not q:
        errors["q"] = _("Type what you are looking for, e.g. 外卖柜 or 停车.")
    elif len(q) > MAX_QUERY:
        errors["q"] = _("A search can be at most %(max)s characters; try a few key words.") % {"max": MAX_QUERY}
    values: dict[str, object] = {}
    lookups: list[tuple[str, type, str]] = [
        ("category", Category, "code"),
        ("district", District, "slug"),
        ("subdistrict", Subdistrict, "slug"),
        ("building", Building, "slug"),
    ]
    for name, model, key in lookups:
        value = raw[name]
        if not value:
            continue
        obj = model._default_manager.filter(**{key: value}).first() if _SLUG.fullmatch(value) else None  # type: ignore[attr-defined]
        if obj is None:
            errors[name] = _("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value[:50]}
        else:
            values[name] = obj
    if raw["outcome"] and raw["outcome"] not in SEARCHABLE_OUTCOMES:
        errors["outcome"] = _("Outcome must be one of: %(values)s.") % {
            "values": ", ".join(sorted(SEARCHABLE_OUTCOMES))
        }
    if raw["year"] and not re.fullmatch(r"(19|20)[0-9]{2}", raw["year"]):
        errors["year"] = _("Year must be four digits, e.g. 2026.")
    if raw["kind"] and raw["kind"] not in SearchDocument.Kind.values:
        errors["kind"] = _("Kind must be one of: %(values)s.") % {"values": ", ".join(SearchDocument.Kind.values)}
    category = values.get("category")
    filters = Filters(
        category_id=category.pk if isinstance(category, Category) else None,
        category_department_id=category.default_department_id if isinstance(category, Category) else None,
        district_id=getattr(values.get("district"), "pk", None),
        subdistrict_id=getattr(values.get("subdistrict"), "pk", None),
        building_id=getattr(values.get("building"), "pk", None),
        outcome=raw["outcome"] if "outcome" not in errors else "",
        year=int(raw["year"]) if raw["year"] and "year" not in errors else None,
        kind=raw["kind"] if "kind" not in errors else "",
    )
    return Params(q=q, filters=filters, errors=errors, raw=raw)


def outcome_choices() -> list[tuple[str, str]]:
    return [(o.value, str(o.label)) for o in Outcome if o.value in SEARCHABLE_OUTCOMES]


def category_matters(category_id: int) -> QuerySet[Matter]:
    """The published matters linked to a category (one query)."""
    return (
        Matter.objects.filter(
            is_published=True,
            department__is_active=True,
            pk__in=CategoryMatter.objects.filter(category_id=category_id).values("matter_id"),
        )
        .select_related("department")
        .order_by("id")
    )
