"""Reads: who sees what, with a fixed number of queries."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from buildings.sql import prepared_cursor
from services.models import Department

from . import figures

# Who may read which demand is answered by the access module; the reads below build on it.
from .access import can_see_private, demands_visible_to
from .access import public_demands as public_demands
from .models import Category, Demand, DemandEvent, DemandTally
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


#: The demand's own columns the API's demand list shows or its access checks read (api.DemandSerializer).
#: The list reads them as plain values from the demand table alone, and the few related rows of a page
#: by primary key (`list_related`): planning a five-table join over the demand table's indexes cost more
#: than running it, and building four model instances a row was half the list's time (#15).
log = logging.getLogger(__name__)

LIST_VALUES = (
    *("id", "building_id", "category_id", "title", "description", "floor", "company_name", "show_company"),
    *("is_public", "support_count", "status", "version", "outcome", "resolution_note", "submitted_at"),
    *("due_at", "assigned_at", "started_at", "resolved_at", "updated_at", "assignee_member_id"),
    *("assignee_department_id", "contact_name", "contact_phone", "contact_email", "channel"),
)


def demand_list_values(scope: ActorScope) -> QuerySet[Demand, dict[str, Any]]:
    """What `scope` may read, as rows of `LIST_VALUES` from the demand table alone."""
    return demands_visible_to(scope).values(*LIST_VALUES)


def public_count(statuses: list[str] | None = None) -> int | None:
    """How many demands `public_demands()` holds (in `statuses`, if given), without counting them.

    The maintained tallies' total (a sum over a few rows per building) less the demands the public list
    leaves out, which the partial index demand_not_public holds (private or hidden ones: few). One
    statement, so both parts read the same snapshot. At 1,000,000 demands counting the public rows
    themselves took seconds a request, for every reader of the unfiltered list (#15).

    None when the answer cannot be right (below zero: the tallies were not recounted after a bulk load
    that bypassed the actions, see `stats.rebuild_tallies`): the caller then counts the rows.
    """
    tally, demand = DemandTally._meta.db_table, Demand._meta.db_table
    where, params = "", []
    if statuses:
        where = " AND status IN (" + ", ".join(["%s"] * len(statuses)) + ")"
        params = list(statuses)
    # Table names from the models' meta; the statuses are parameters.
    sql = (
        f"SELECT (SELECT COALESCE(SUM(n), 0) FROM {tally} WHERE TRUE{where})"  # noqa: S608
        f" - (SELECT COUNT(*) FROM {demand} WHERE (NOT is_public OR is_hidden){where})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params + params)
        count = int(cursor.fetchone()[0])
    if count < 0:
        log.warning("public_count: the tallies are behind the demands (%s); run rebuild_tallies()", count)
        return None
    return count


@dataclass(frozen=True)
class ListRelated:
    """The rows a page of `demand_list_values` refers to, by primary key (`list_related`)."""

    buildings: dict[int, dict[str, Any]]  # id → slug, name, district_id
    categories: dict[int, Category]
    members: dict[int, CouncilMember]
    departments: dict[int, Department]


def list_related(rows: list[dict[str, Any]]) -> ListRelated:
    """The buildings, categories and assignees a page of rows refers to, in one round trip.

    Plain SQL, a UNION ALL of four look-ups by primary key: the ORM would make four queries of it, each
    compiled in Python, for what is at most fifty rows. Categories, departments and members come back as
    unsaved model instances holding just these columns (for `localized_name` and the role's label).
    """

    def ids(column: str) -> list[int]:
        return sorted({r[column] for r in rows if r[column] is not None})

    related = ListRelated(buildings={}, categories={}, members={}, departments={})
    if not rows:
        return related
    b, s = Building._meta.db_table, Building._meta.get_field("subdistrict").related_model._meta.db_table
    c, d, m = Category._meta.db_table, Department._meta.db_table, CouncilMember._meta.db_table
    # Table names from the models' meta, ids as parameters: nothing here comes from the request.
    branches = [
        (
            f"SELECT 'b', x.id, x.slug, x.name, '', y.district_id FROM {b} x"  # noqa: S608
            f" JOIN {s} y ON y.id = x.subdistrict_id WHERE x.id IN ({{}})",
            ids("building_id"),
        ),
        (f"SELECT 'c', id, code, name, name_en, NULL FROM {c} WHERE id IN ({{}})", ids("category_id")),  # noqa: S608
        (f"SELECT 'd', id, code, name, name_en, NULL FROM {d} WHERE id IN ({{}})", ids("assignee_department_id")),  # noqa: S608
        (
            f"SELECT 'm', id, role, display_name, '', CASE WHEN is_public THEN 1 ELSE 0 END FROM {m}"  # noqa: S608
            " WHERE id IN ({})",
            ids("assignee_member_id"),
        ),
    ]
    present = [(branch, values) for branch, values in branches if values]
    sql = " UNION ALL ".join(branch.format(", ".join(["%s"] * len(values))) for branch, values in present)
    params = [value for _, values in present for value in values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, pk, code, name, name_en, number in cursor.fetchall():
            if kind == "b":
                related.buildings[pk] = {"id": pk, "slug": code, "name": name, "district_id": number}
            elif kind == "c":
                related.categories[pk] = Category(id=pk, code=code, name=name, name_en=name_en)
            elif kind == "d":
                related.departments[pk] = Department(id=pk, code=code, name=name, name_en=name_en)
            else:
                related.members[pk] = CouncilMember(id=pk, role=code, display_name=name, is_public=bool(number))
    return related


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
    sql, b_names, c_names, converters = _targets_query(connection.alias)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [building_slug, category_code])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, col, field_converters in converters:  # what the ORM would apply to these columns (none today)
        for converter in field_converters:
            values[i] = converter(values[i], col, connection)
    n = len(b_names)
    building = Building.from_db(connection.alias, b_names, values[:n])
    category = Category.from_db(connection.alias, c_names, values[n:])
    return building, category


@functools.cache
def _targets_query(alias: str) -> tuple[str, list[str], list[str], list[tuple[int, Any, list[Any]]]]:
    """`submission_targets`' statement, the attribute names it fills and each column's converters: the
    same for every submission, so worked out once per process (it was a tenth of a submission's time)."""
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
    converters = []
    for i, f in enumerate([*b_fields, *c_fields]):
        col = f.get_col(f.model._meta.db_table)
        found = [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]
        if found:
            converters.append((i, col, found))
    return sql, [f.attname for f in b_fields], [f.attname for f in c_fields], converters


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
