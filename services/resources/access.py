"""Who may see and maintain resources; asked by the admin, the API and the pages alike.

- Everyone sees public resources (never their private contact).
- A building's captains (its triaging council members) maintain the resources of their building;
  a department's staff maintain the resources their department offers (any building, or sub-district-wide).
- District staff read every resource of their district, contacts included; superusers do everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buildings.access import ActorScope

from .models import Resource


def _maintainable(scope: ActorScope) -> Q:
    return Q(building_id__in=scope.triage_building_ids) | Q(department_id__in=scope.department_ids)


def visible_resources(scope: ActorScope) -> QuerySet[Resource]:
    """Resources the user may see in full (the admin's list, contacts included)."""
    resources = Resource.objects.all()
    if scope.is_superuser:
        return resources
    if not scope.is_authenticated:
        return resources.none()
    return resources.filter(_maintainable(scope) | Q(subdistrict__district_id__in=scope.district_ids))


def editable_resources(scope: ActorScope) -> QuerySet[Resource]:
    resources = Resource.objects.all()
    if scope.is_superuser:
        return resources
    if not scope.is_authenticated:
        return resources.none()
    return resources.filter(_maintainable(scope))


def may_maintain_any(scope: ActorScope) -> bool:
    """Whether the user keeps any resource list at all (the admin's module and "add")."""
    return scope.is_superuser or bool(scope.triage_building_ids or scope.department_ids)


def may_read_any(scope: ActorScope) -> bool:
    return may_maintain_any(scope) or bool(scope.district_ids)


def may_maintain(scope: ActorScope, resource: Resource) -> bool:
    if scope.is_superuser:
        return True
    if resource.building_id is not None and resource.building_id in scope.triage_building_ids:
        return True
    return resource.department_id is not None and resource.department_id in scope.department_ids


def may_offer_at(scope: ActorScope, *, building_id: int | None, department_id: int | None) -> bool:
    """Whether the user may put a new resource at this place for this provider."""
    if scope.is_superuser:
        return True
    if department_id is not None and department_id in scope.department_ids:
        return True
    return building_id is not None and building_id in scope.triage_building_ids
