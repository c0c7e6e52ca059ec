"""Reads about places and people, with a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from .models import Building, District, Subdistrict


def building_list() -> QuerySet[Building]:
    """Active buildings with sub-district, district and council joined: one query."""
    return (
        Building.objects.filter(is_active=True)
        .select_related("subdistrict__district", "council")
        .order_by("subdistrict__district__slug", "subdistrict__slug", "-is_key_building", "slug")
    )


def districts_with_buildings() -> list[District]:
    """Districts → sub-districts → active buildings, for the building picker: three queries."""
    return list(
        District.objects.prefetch_related(
            Prefetch(
                "subdistricts",
                queryset=Subdistrict.objects.order_by("slug").prefetch_related(
                    Prefetch(
                        "buildings",
                        queryset=Building.objects.filter(is_active=True).order_by("-is_key_building", "slug"),
                    )
                ),
            )
        ).order_by("slug")
    )
