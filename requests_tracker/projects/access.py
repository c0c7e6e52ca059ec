"""Who may see and run projects; asked by the admin, the API, the pages and the exports alike.

- Everyone sees public projects (their public updates, milestones and linked public demands).
- A project is run by the captains (triaging council members) of a building it serves, by its lead
  (the council member, or the staff of the lead department) and by superusers.
- District staff read every project of their district; they do not run them.
A project the user may not run is a 404 to their writes (a council of another building learns nothing).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from buildings.access import ActorScope
from buildings.models import Building

from .models import Project


def _runs(scope: ActorScope) -> Q:
    served = Building.objects.filter(pk__in=scope.triage_building_ids)
    return (
        Q(Exists(served.filter(projects=OuterRef("pk"))))
        | Q(subdistrict__buildings__in=scope.triage_building_ids)
        | Q(lead_department_id__in=scope.department_ids)
        | Q(lead_member_id__in=scope.member_ids)
    )


def managed_projects(scope: ActorScope) -> QuerySet[Project]:
    """Projects the user may run (write to)."""
    projects = Project.objects.all()
    if scope.is_superuser:
        return projects
    if not scope.handles_demands:
        return projects.none()
    return projects.filter(pk__in=Project.objects.filter(_runs(scope)).values("pk"))


def visible_projects(scope: ActorScope) -> QuerySet[Project]:
    """Projects the user may read: the public ones, those they run, and their district's."""
    projects = Project.objects.all()
    if scope.is_superuser:
        return projects
    if not scope.handles_demands:
        return projects.filter(is_public=True)
    in_district = Building.objects.filter(projects=OuterRef("pk"), subdistrict__district_id__in=scope.district_ids)
    ids = Project.objects.filter(
        Q(is_public=True) | _runs(scope) | Q(Exists(in_district)) | Q(subdistrict__district_id__in=scope.district_ids)
    ).values("pk")
    return projects.filter(pk__in=ids)


def may_run_any(scope: ActorScope) -> bool:
    return scope.is_superuser or bool(scope.triage_building_ids or scope.department_ids or scope.member_ids)


def may_read_any(scope: ActorScope) -> bool:
    return may_run_any(scope) or bool(scope.district_ids)


def may_create_for(scope: ActorScope, *, building_ids: set[int], subdistrict_id: int | None) -> bool:
    """A captain starts projects for their own buildings; a sub-district-wide one takes a superuser."""
    if scope.is_superuser:
        return True
    if subdistrict_id is not None:
        return False
    return bool(building_ids) and building_ids <= scope.triage_building_ids


def may_run(scope: ActorScope, project: Project) -> bool:
    return managed_projects(scope).filter(pk=project.pk).exists()
