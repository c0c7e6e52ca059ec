"""Reads of the project list with fixed query counts, and the project figures for the statistics."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

from ..selectors import public_demands
from .models import Project, ProjectDemand, ProjectResource, ProjectUpdate


def served_building_ids(project: Project) -> frozenset[int]:
    """The buildings a project serves: its own, or every building of its sub-district (one query)."""
    condition = Q(projects=project)
    if project.subdistrict_id is not None:
        condition |= Q(subdistrict_id=project.subdistrict_id)
    return frozenset(Building.objects.filter(condition).values_list("pk", flat=True))


def serving(projects: QuerySet[Project], building: Building) -> QuerySet[Project]:
    """The projects that serve `building` (directly or through its sub-district)."""
    ids = Project.objects.filter(Q(buildings=building) | Q(subdistrict_id=building.subdistrict_id)).values("pk")
    return projects.filter(pk__in=ids)


def public_projects() -> QuerySet[Project]:
    return Project.objects.filter(is_public=True)


def with_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotates how many public demands each project answers and how many people support them."""
    linked_public = Q(demand_links__demand__is_public=True, demand_links__demand__is_hidden=False)
    return projects.annotate(
        demand_count=Count("demand_links", filter=linked_public, distinct=True),
        support_total=Sum("demand_links__demand__support_count", filter=linked_public),
    )


def building_projects(building: Building, *, status: str = "") -> QuerySet[Project]:
    """A building's public projects, in progress first (one query)."""
    projects = with_counts(serving(public_projects(), building))
    if status:
        projects = projects.filter(status=status)
    return projects.order_by(_status_order(), "-updated_at", "-id")


def _status_order() -> Case:
    order = [Project.Status.IN_PROGRESS, Project.Status.PLANNED, Project.Status.PAUSED, Project.Status.DONE]
    return Case(*(When(status=s, then=Value(i)) for i, s in enumerate(order)), output_field=IntegerField())


def project_page(projects: QuerySet[Project], pk: int) -> Project | None:
    """A project with everything its page shows, in a fixed number of queries (6)."""
    public_demand_links = (
        ProjectDemand.objects.filter(demand__in=public_demands())
        .select_related("demand__building", "demand__category")
        .order_by("linked_at", "id")
    )
    return (
        projects.filter(pk=pk)
        .select_related("lead_member", "lead_department", "subdistrict")
        .prefetch_related(
            "buildings",
            "milestones",
            Prefetch("updates", queryset=ProjectUpdate.objects.filter(is_public=True), to_attr="public_updates"),
            Prefetch("demand_links", queryset=public_demand_links, to_attr="public_demand_links"),
            Prefetch(
                "resource_links",
                queryset=ProjectResource.objects.filter(resource__is_public=True).select_related(
                    "resource__building", "resource__subdistrict"
                ),
                to_attr="public_resource_links",
            ),
        )
        .first()
    )


def projects_for_demand(demand_id: int) -> list[Project]:
    """The public projects a demand is part of (one query): its tracking and public pages show them."""
    return list(public_projects().filter(demand_links__demand_id=demand_id).order_by("-updated_at"))


def in_progress_for_screen(
    building_ids: list[int] | None = None, subdistrict_ids: list[int] | None = None
) -> list[Project]:
    projects = public_projects().filter(status=Project.Status.IN_PROGRESS)
    condition = Q()
    if building_ids is not None:
        condition |= Q(buildings__in=building_ids)
    if subdistrict_ids is not None:
        condition |= Q(subdistrict_id__in=subdistrict_ids) | Q(buildings__subdistrict_id__in=subdistrict_ids)
    ids = Project.objects.filter(condition).values("pk")
    return list(projects.filter(pk__in=ids).order_by("-updated_at")[:8])


# --- Statistics: the figures the district page shows for the project list -----------------------


@dataclass(frozen=True)
class ProjectFigure:
    key: str
    label: object
    definition: object


#: Each figure with its definition, like the demand figures on /stats/.
DEFINITIONS: tuple[ProjectFigure, ...] = (
    ProjectFigure(
        "projects_by_status",
        _("Projects by status"),
        _(
            "Public and internal projects serving the area's buildings (directly or through their "
            "sub-district), counted once each by their current status: planned, in progress, paused, done."
        ),
    ),
    ProjectFigure(
        "demands_answered",
        _("Demands answered by a project"),
        _("Demands of the area linked to at least one project, each counted once however many projects it is in."),
    ),
    ProjectFigure(
        "median_days_to_completion",
        _("Median days from a demand to its project's completion"),
        _(
            "For each demand linked to a done project: days from the demand's submission to the completion of "
            "the project (the earliest, if several); the median over those demands. Empty when there are none."
        ),
    ),
)


def project_figures(buildings: QuerySet[Building]) -> dict[str, object]:
    """The project figures for a set of buildings (a district, a sub-district, one building): 3 queries."""
    building_ids = buildings.values("pk")
    serving_area = Project.objects.filter(
        Q(buildings__in=building_ids) | Q(subdistrict__buildings__in=building_ids)
    ).values("pk")
    by_status = {s: 0 for s in Project.Status.values}
    for status, n in Project.objects.filter(pk__in=serving_area).values_list("status").annotate(n=Count("id")):
        by_status[status] = n
    # Distinct demand ids of the links (not DISTINCT over every column of the demands).
    answered = ProjectDemand.objects.filter(demand__building__in=building_ids).values("demand_id").distinct().count()
    spans = []
    rows = (
        ProjectDemand.objects.filter(demand__building__in=building_ids, project__status=Project.Status.DONE)
        .values_list("demand_id", "demand__submitted_at", "project__completed_at")
        .order_by("demand_id", "project__completed_at")
    )
    seen: set[int] = set()
    for demand_id, submitted_at, completed_at in rows:
        if demand_id in seen or completed_at is None:
            continue
        seen.add(demand_id)
        spans.append((completed_at - submitted_at).total_seconds() / 86400)
    return {
        "projects_by_status": by_status,
        "demands_answered": answered,
        "median_days_to_completion": round(median(spans), 1) if spans else None,
    }


def projects_by_status_per_building(buildings: QuerySet[Building]) -> dict[int, dict[str, int]]:
    """For each building of the set, its projects by status (directly or through its sub-district): 2 queries.

    The same definition as `projects_by_status`, per building; a sub-district-wide project counts for
    each of its buildings (so the per-building counts may add up to more than the area's).
    """
    counts: dict[int, dict[str, int]] = {
        pk: {s: 0 for s in Project.Status.values} for pk in buildings.values_list("pk", flat=True)
    }
    # No ORDER BY inside a UNION (the model's default ordering would add one).
    direct = Project.objects.filter(buildings__in=list(counts)).values_list("buildings", "status", "pk").order_by()
    via_area = (
        Project.objects.filter(subdistrict__buildings__in=list(counts))
        .values_list("subdistrict__buildings", "status", "pk")
        .order_by()
    )
    # UNION (not ALL): a project is counted once per building, however it serves it.
    for building_id, status, _pk in direct.union(via_area, all=False):
        counts[building_id][status] += 1
    return counts


def stats_section(buildings: QuerySet[Building]) -> dict[str, object]:
    """The projects' figures as a section of the statistics page (figures.register_area_figures)."""
    figures = project_figures(buildings)
    by_key = {f.key: f for f in DEFINITIONS}
    status_labels = dict(Project.Status.choices)
    by_status = figures["projects_by_status"]
    assert isinstance(by_status, dict)
    items: list[dict[str, object]] = [
        {
            "label": f"{by_key['projects_by_status'].label}: {status_labels[status]}",
            "value": n,
            "definition": by_key["projects_by_status"].definition,
        }
        for status, n in by_status.items()
    ]
    for key in ("demands_answered", "median_days_to_completion"):
        items.append({"label": by_key[key].label, "value": figures[key], "definition": by_key[key].definition})
    return {"key": "projects", "title": _("Projects (three lists)"), "items": items}
