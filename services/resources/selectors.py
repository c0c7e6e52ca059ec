"""Reads of the resource list: public lists per building and sub-district (a fixed number of queries)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from buildings.models import Building

from .models import Resource


def public_resources() -> QuerySet[Resource]:
    return Resource.objects.filter(is_public=True).exclude(status=Resource.Status.WITHDRAWN)


def for_building(resources: QuerySet[Resource], building: Building) -> QuerySet[Resource]:
    """What serves this building: its own resources and those offered to its whole sub-district."""
    return resources.filter(Q(building=building) | Q(building__isnull=True, subdistrict_id=building.subdistrict_id))


def building_resources(building: Building, *, kind: str = "") -> QuerySet[Resource]:
    """The building's public resource list, filtered by kind (one query)."""
    resources = for_building(public_resources(), building).select_related("building", "subdistrict")
    if kind:
        resources = resources.filter(kind=kind)
    return resources


def subdistrict_resources(subdistrict_id: int, *, kind: str = "") -> QuerySet[Resource]:
    """Every public resource in a sub-district, its buildings' and its own (one query)."""
    resources = public_resources().filter(subdistrict_id=subdistrict_id).select_related("building", "subdistrict")
    if kind:
        resources = resources.filter(kind=kind)
    return resources


def counts_by_kind(resources: QuerySet[Resource]) -> dict[str, int]:
    """How many resources of each kind (one query): the filter chips' counts."""
    rows = resources.order_by().values("kind").annotate(n=Count("id"))
    counts = {kind: 0 for kind in Resource.Kind.values}
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts
