"""Reads for the guide and the hall (fixed query counts)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from services.models import Department

from .access import public_matters, public_services
from .models import HallService, Matter, ServiceField


def guide_departments() -> QuerySet[Department]:
    """Active departments with their published matters and active services prefetched (3 queries)."""
    return (
        Department.objects.filter(is_active=True)
        .annotate(matter_count=Count("matters", filter=Q(matters__is_published=True)))
        .prefetch_related(
            Prefetch("matters", queryset=public_matters().select_related("department", "service").order_by("id")),
        )
        .order_by("code")
    )


def department_guide(code: str) -> Department | None:
    """One department with its published matters (2 queries)."""
    return (
        Department.objects.filter(is_active=True, code=code)
        .prefetch_related(
            Prefetch(
                "matters",
                queryset=public_matters().select_related("department", "service").order_by("id"),
            )
        )
        .first()
    )


def hall_services() -> QuerySet[HallService]:
    """Active services with their department and fields (2 queries)."""
    return (
        public_services()
        .select_related("department")
        .prefetch_related(Prefetch("fields", ServiceField.objects.order_by("order", "id")))
    )


def hall_service(code: str) -> HallService | None:
    return hall_services().filter(code=code).first()


def matters_by_ids(ids: list[int]) -> dict[int, Matter]:
    return {m.pk: m for m in public_matters().select_related("department").filter(pk__in=ids)}
