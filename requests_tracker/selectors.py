"""Reads: who sees what, with a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

# Who a user is lives at the bottom layer (buildings.access); re-exported for the demand code.
from buildings.access import ANONYMOUS_SCOPE as ANONYMOUS_SCOPE
from buildings.access import ActorScope as ActorScope
from buildings.access import active_seats as active_seats
from buildings.access import actor_scope as actor_scope
from buildings.access import serving_members as serving_members
from buildings.models import Building, CouncilMember

from . import figures

# Who may read which demand is answered by the access module; the reads below build on it.
from .access import can_see_private, demands_visible_to
from .access import public_demands as public_demands
from .models import Category, Demand, DemandEvent
from .workflow import STEPS, Status


@dataclass(frozen=True)
class Figures:
    """The headline figures of a set of demands (each defined in `figures.FIGURES`)."""

    received: int
    resolved: int
    in_progress: int
    waiting: int

    @property
    def resolution_rate(self) -> float | None:
        return figures.resolution_rate(self.received, self.resolved)


def demand_figures(demands: QuerySet[Demand]) -> Figures:
    """Headline figures of any set of demands, in one aggregate query (definitions: figures.FIGURES)."""
    return Figures(**demands.aggregate(**figures.counts(timezone.now())))


def demand_list(scope: ActorScope) -> QuerySet[Demand]:
    """The list behind the API and pages: related rows joined, so one query per page."""
    return demands_visible_to(scope).select_related(
        "building__subdistrict",
        "category",
        "assignee_member",
        "assignee_department",
    )


#: The columns the API's demand list shows or its access checks read (api.DemandSerializer): at 50 rows
#: a page, loading every column of the demand and of four joined rows was half the list's time (#15).
LIST_COLUMNS = (
    *("id", "building_id", "category_id", "title", "description", "floor", "company_name", "show_company"),
    *("is_public", "support_count", "status", "version", "outcome", "resolution_note", "submitted_at"),
    *("due_at", "assigned_at", "started_at", "resolved_at", "updated_at", "assignee_member_id"),
    *("assignee_department_id", "contact_name", "contact_phone", "contact_email", "channel"),
    *("building__slug", "building__name", "building__subdistrict_id", "building__subdistrict__district_id"),
    *("category__code", "category__name", "category__name_en"),
    *("assignee_member__display_name", "assignee_member__role", "assignee_member__is_public"),
    *("assignee_department__code", "assignee_department__name", "assignee_department__name_en"),
)


def demand_list_page(scope: ActorScope) -> QuerySet[Demand]:
    """`demand_list` with only the columns the API list shows: one query per page, narrow rows."""
    return demand_list(scope).only(*LIST_COLUMNS)


#: What `new_tracking_token` produces (URL-safe base64); anything else cannot match, and
#: PostgreSQL refuses some of it (NUL bytes) with an error rather than "no row".
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def demand_by_token(token: str, *related: str) -> Demand | None:
    """The demand whose tracking token this is (with `related` joined), or None: one query at most."""
    if not TOKEN_RE.fullmatch(token):
        return None
    return Demand.objects.select_related(*related).filter(token=token).first()


def public_timeline(demand: Demand) -> QuerySet[DemandEvent]:
    return demand.events.filter(is_public=True).order_by("created_at", "id")


def timeline_for(scope: ActorScope, demand: Demand) -> QuerySet[DemandEvent]:
    """The whole timeline for those handling the demand, the public part for everyone else."""
    events = demand.events.select_related("actor").order_by("created_at", "id")
    if can_see_private(scope, demand):
        return events
    return events.filter(is_public=True)


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("default_department")


def submission_targets(building_slug: str, category_code: str) -> tuple[Building, Category] | None:
    """The active building and active category a submission names, in one query; None if either is not.

    A submission needs both; two lookups were two of its round trips (#15). The caller reports which
    one is missing by asking for each on its own (only an invalid submission pays for that).
    """
    b_fields = list(Building._meta.concrete_fields)
    c_fields = list(Category._meta.concrete_fields)
    columns = [f"b.{connection.ops.quote_name(str(f.column))}" for f in b_fields]
    columns += [f"c.{connection.ops.quote_name(str(f.column))}" for f in c_fields]
    # Identifiers from the models' own metadata; the two values are parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(Building._meta.db_table)} b "  # noqa: S608
        f"CROSS JOIN {connection.ops.quote_name(Category._meta.db_table)} c "
        "WHERE b.slug = %s AND b.is_active AND c.code = %s AND c.is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [building_slug, category_code])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, f in enumerate([*b_fields, *c_fields]):  # what the ORM would apply to these columns (none today)
        col = f.get_col(f.model._meta.db_table)
        for converter in [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]:
            values[i] = converter(values[i], col, connection)
    n = len(b_fields)
    building = Building.from_db(connection.alias, [f.attname for f in b_fields], values[:n])
    category = Category.from_db(connection.alias, [f.attname for f in c_fields], values[n:])
    return building, category


def progress_steps(demand: Demand) -> list[dict[str, object]]:
    """The four steps with whether each is reached and when: for progress bars and the tracking page."""
    stamps = {
        "submitted": demand.submitted_at,
        "assigned": demand.assigned_at,
        "in_progress": demand.started_at,
        "resolved": demand.resolved_at,
    }
    reached = STEPS.index(demand.status)  # type: ignore[arg-type]
    return [
        {
            "status": str(step),
            "label": str(step.label),
            "done": i <= reached,
            "current": i == reached,
            "at": stamps[str(step)] if i <= reached else None,
        }
        for i, step in enumerate(STEPS)
    ]


# --- The residents' side: the building's public board -------------------------------------


def public_roster(building_id: int) -> QuerySet[CouncilMember]:
    """The council members serving now who agreed to be on the public roster, captains first."""
    role_order = [str(r) for r in CouncilMember.Role]
    return (
        serving_members()
        .filter(council__building_id=building_id, is_public=True)
        .annotate(
            role_rank=Case(
                *[When(role=r, then=Value(i)) for i, r in enumerate(role_order)],
                output_field=IntegerField(),
            )
        )
        .order_by("role_rank", "display_name")
    )


BOARD_ORDERINGS = {
    "new": ("-submitted_at", "-id"),
    "supported": ("-support_count", "-submitted_at", "-id"),
}


def board_demands(building_id: int, *, status: str = "", category: str = "", ordering: str = "new") -> QuerySet[Demand]:
    """A building's public demands for its board: filtered, ordered, with their category joined."""
    qs = public_demands().filter(building_id=building_id).select_related("category")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    return qs.order_by(*BOARD_ORDERINGS.get(ordering, BOARD_ORDERINGS["new"]))


def public_demand(building_id: int, demand_id: int) -> Demand | None:
    """One demand of the building as the public may see it, or None (not public, hidden, elsewhere)."""
    return (
        public_demands()
        .filter(building_id=building_id, pk=demand_id)
        .select_related("building__council", "category", "company")
        .first()
    )


# --- personal data ---------------------------------------------------------------------------------


def contacts_due_for_erasure(now: datetime, days: int) -> QuerySet[Demand]:
    """Resolved more than `days` ago and still holding contact details (or a hall request's answers not
    yet erased): what the retention task hands to `actions.demand_erase_contact`, oldest first."""
    erased = DemandEvent.objects.filter(demand=OuterRef("pk"), kind=DemandEvent.Kind.CONTACT_ERASED)
    holds = ~Q(contact_name="") | ~Q(contact_phone="") | ~Q(contact_email="")
    hall = Q(channel=Demand.Channel.HALL) & ~Exists(erased)
    return (
        Demand.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - timedelta(days=days))
        .filter(holds | hall)
        .order_by("resolved_at", "id")
    )
