"""Demo data for the guide and the hall (idempotent; called from seed_demo)."""

from __future__ import annotations

import re

from django.db import transaction

from buildings.models import District
from services.models import Department

from . import actions
from .demo_data import EXTRA_DEPARTMENTS, MATTERS, SERVICES
from .models import HallService, Matter, ServiceField


@transaction.atomic
def seed() -> dict[str, int]:
    """Adds the missing departments, the hall's services and their forms, and the matters (by title)."""
    districts = {d.slug: d for d in District.objects.all()}
    for row in EXTRA_DEPARTMENTS:
        district = districts.get(row["district"])
        Department.objects.update_or_create(
            code=row["code"],
            defaults={**{k: v for k, v in row.items() if k not in ("code", "district")}, "district": district},
        )
    departments = {d.code: d for d in Department.objects.all()}
    services: dict[str, HallService] = {}
    for i, row in enumerate(SERVICES):
        department = departments.get(row["department"])
        if department is None:
            continue
        service, _ = HallService.objects.update_or_create(
            code=row["code"],
            defaults={
                "department": department,
                "name": row["name"],
                "name_en": row["name_en"],
                "description": row["description"],
                "description_en": row["description_en"],
                "sort_order": (i + 1) * 10,
                "is_active": True,
            },
        )
        for order, (code, label, label_en, datatype, required, options) in enumerate(row["fields"], start=1):
            ServiceField.objects.update_or_create(
                service=service,
                code=code,
                defaults={
                    "label": label,
                    "label_en": label_en,
                    "datatype": datatype,
                    "required": required,
                    "order": order,
                    "options": [{"key": k, "name": n, "name_en": e} for k, n, e in options],
                },
            )
        services[service.code] = service
    existing = set(Matter.objects.values_list("department__code", "title"))
    created = 0
    for code, title, audience, steps, documents, limit, fees, office, phone, hours, service_code in MATTERS:
        department = departments.get(code)
        if department is None or (code, title) in existing:
            continue
        actions.matter_create(
            department=department,
            actor=None,
            title=title,
            audience=audience,
            steps=re.sub(r"\s+(?=\d+\. )", "\n", steps),  # one step a line
            documents=documents,
            time_limit=limit,
            fees=fees,
            office=office,
            phone=phone,
            hours=hours,
            service=services.get(service_code) if service_code else None,
        )
        created += 1
    return {"services": len(services), "matters": Matter.objects.count(), "new_matters": created}
