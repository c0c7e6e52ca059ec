"""Who may see and change the guide and the hall's definitions (admin, API and pages ask here).

Everyone may read published matters and active services. A department's staff maintain their own
department's matters and service forms; district staff read those of their district's departments;
superusers do everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buildings.access import ActorScope

from .models import HallService, Matter


def may_edit_department(scope: ActorScope, department_id: int | None) -> bool:
    return scope.is_superuser or (department_id is not None and department_id in scope.department_ids)


def may_use_guide_admin(scope: ActorScope) -> bool:
    return scope.is_superuser or bool(scope.department_ids) or bool(scope.district_ids)


def _department_filter(scope: ActorScope, prefix: str = "department") -> Q:
    return Q(**{f"{prefix}_id__in": scope.department_ids}) | Q(**{f"{prefix}__district_id__in": scope.district_ids})


def visible_matters(scope: ActorScope) -> QuerySet[Matter]:
    """The matters a user sees in the admin (published or not)."""
    matters = Matter.objects.all()
    return matters if scope.is_superuser else matters.filter(_department_filter(scope))


def visible_services(scope: ActorScope) -> QuerySet[HallService]:
    services = HallService.objects.all()
    return services if scope.is_superuser else services.filter(_department_filter(scope))


def public_matters() -> QuerySet[Matter]:
    return Matter.objects.filter(is_published=True, department__is_active=True)


def public_services() -> QuerySet[HallService]:
    return HallService.objects.filter(is_active=True, department__is_active=True)
