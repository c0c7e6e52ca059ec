"""Public resource lists: a building's (with what its sub-district offers) and a sub-district's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from buildings.models import Building, Subdistrict

from . import selectors
from .models import Resource


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Resource.Kind.values else ""


def building_resources(request: HttpRequest, slug: str) -> HttpResponse:
    building = get_object_or_404(Building.objects.select_related("subdistrict"), slug=slug, is_active=True)
    kind = _kind(request)
    everything = selectors.for_building(selectors.public_resources(), building)
    return render(
        request,
        "resources/resources.html",
        {
            "building": building,
            "place": building.localized_name,
            "resources": list(selectors.building_resources(building, kind=kind)),
            "counts": selectors.counts_by_kind(everything),
            "kinds": Resource.Kind.choices,
            "kind": kind,
        },
    )


def subdistrict_resources(request: HttpRequest, slug: str) -> HttpResponse:
    subdistrict = get_object_or_404(Subdistrict, slug=slug)
    kind = _kind(request)
    return render(
        request,
        "resources/resources.html",
        {
            "subdistrict": subdistrict,
            "place": subdistrict.localized_name,
            "resources": list(selectors.subdistrict_resources(subdistrict.pk, kind=kind)),
            "counts": selectors.counts_by_kind(selectors.public_resources().filter(subdistrict=subdistrict)),
            "kinds": Resource.Kind.choices,
            "kind": kind,
        },
    )
