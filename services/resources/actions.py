"""Writes of the resource list: keyword-only, atomic, checked against the actor's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Building, Subdistrict, User
from services.models import Department

from . import access
from .models import Resource


@transaction.atomic
def resource_create(
    *,
    actor: User | None,
    title: str,
    kind: str,
    provider_kind: str,
    provider_name: str,
    building: Building | None = None,
    subdistrict: Subdistrict | None = None,
    department: Department | None = None,
    floor: str = "",
    availability: str = "",
    capacity: str = "",
    description: str = "",
    contact: str = "",
    is_public: bool = True,
    scope: ActorScope | None = None,
) -> Resource:
    """Adds a resource where the actor may offer one (PermissionDenied otherwise; ValidationError on bad input)."""
    scope = scope or actor_scope(actor)
    if building is None and subdistrict is None:
        raise ValidationError(_("Say where the resource is: a building or a sub-district."), code="no_place")
    if not access.may_offer_at(
        scope,
        building_id=building.pk if building else None,
        department_id=department.pk if department else None,
    ):
        raise PermissionDenied(_("You may not add resources here."))
    title = title.strip()
    if not title:
        raise ValidationError(_("A resource needs a title."), code="no_title")
    if kind not in Resource.Kind.values:
        raise ValidationError(_("Unknown kind of resource."), code="kind")
    if provider_kind not in Resource.Provider.values:
        raise ValidationError(_("Unknown provider."), code="provider")
    now = timezone.now()
    resource = Resource(
        title=title,
        kind=kind,
        provider_kind=provider_kind,
        provider_name=provider_name.strip(),
        building=building,
        subdistrict=building.subdistrict if building is not None else subdistrict,
        department=department,
        floor=floor.strip(),
        availability=availability.strip(),
        capacity=capacity.strip(),
        description=description.strip(),
        contact=contact.strip(),
        is_public=is_public,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
        updated_at=now,
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_set_status(*, resource: Resource, status: str) -> Resource:
    """Marks a resource available, taken up by a project, or withdrawn (the projects package calls this
    when it links or lets go of a resource; captains in the admin)."""
    if status not in Resource.Status.values:
        raise ValidationError(_("Unknown status."), code="status")
    Resource.objects.filter(pk=resource.pk).update(status=status, updated_at=timezone.now())
    resource.status = status
    return resource
