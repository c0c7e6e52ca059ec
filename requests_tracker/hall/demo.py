"""Demo: which category each hall service's requests are filed under (idempotent)."""

from __future__ import annotations

from requests_tracker.models import Category
from services.guide.models import HallService

from .models import ServiceCategory

SERVICE_CATEGORY = {
    "health-slot": "health",
    "summer-class": "family",
    "subsidy-match": "company-subsidy",
    "meeting-room": "other",
}


def seed() -> int:
    categories = {c.code: c for c in Category.objects.filter(code__in=SERVICE_CATEGORY.values())}
    linked = 0
    for service in HallService.objects.filter(code__in=SERVICE_CATEGORY):
        category = categories.get(SERVICE_CATEGORY[service.code])
        if category is not None:
            ServiceCategory.objects.update_or_create(service=service, defaults={"category": category})
            linked += 1
    return linked
