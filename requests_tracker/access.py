"""Who may see or do what with demands: the one access module.

Every surface asks these functions — the admin's `has_*_permission` and querysets, the API's
querysets and serializers, the HTML pages, the statistics and every export — so a rule is written
once. They start from `buildings.access.ActorScope` (who the user is: seats, departments, districts),
loaded once per request, and make no query of their own unless they return a queryset.

- reading demands: `demands_visible_to`, `demands_in_scope`, `public_demands`
- a demand's private fields (contact details, internal notes): `can_see_private`, `may_see_private`
- taking a workflow action: `roles_of`, `roles_on`, `is_permitted`, `can_take`, `allowed_actions`,
  `actions_for`
- editing, moderating, moving, noting: `may_edit`, `may_move_building`, `may_add_note`
- the admin: `may_use_admin`, `may_create_demands`, `may_delete_demands`
- statistics and exports: `can_read_stats`, `stats_building_ids`, `may_export`
- personal data: `may_read_contact_log`, `contact_log_in_scope` (who had contact details shown)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from buildings.access import ActorScope
from buildings.models import Building

from .models import ContactReveal, Demand
from .workflow import TRANSITIONS, Role, Transition, plain_transitions

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


# --- reading demands ---------------------------------------------------------------------------


def public_demands() -> QuerySet[Demand]:
    """Demands the submitter allowed to be shown publicly and no moderator has hidden."""
    return Demand.objects.filter(is_public=True, is_hidden=False)


def demands_in_scope(scope: ActorScope) -> QuerySet[Demand]:
    """Demands the user handles or oversees, with private fields: none for residents and anonymous."""
    qs = Demand.objects.all()
    if scope.is_superuser:
        return qs
    condition = Q(pk__in=[])
    if scope.member_building_ids:
        condition |= Q(building_id__in=scope.member_building_ids)
    if scope.department_ids:
        condition |= Q(assignee_department_id__in=scope.department_ids)
    if scope.member_ids:
        condition |= Q(assignee_member_id__in=scope.member_ids)
    if scope.district_ids:
        # A sub-select on the buildings, not a join: the demand list then reads the demand table alone.
        in_districts = Building.objects.filter(subdistrict__district_id__in=scope.district_ids).order_by()
        condition |= Q(building_id__in=in_districts.values("id"))
    return qs.filter(condition)


def demands_visible_to(scope: ActorScope) -> QuerySet[Demand]:
    """Everything the user may read: the public demands plus those in their scope.

    One WHERE over the demand table (every condition is on the demand's own columns), so no row can come
    twice and no DISTINCT is needed: DISTINCT over a page's every column was a sort of the whole scope."""
    if scope.is_superuser:
        return Demand.objects.all()
    if not scope.handles_demands:
        return public_demands()
    return public_demands() | demands_in_scope(scope)


def can_see_private(scope: ActorScope, demand: Demand) -> bool:
    """Contact details and internal notes: the building's council, the assignee, district staff."""
    if scope.is_superuser:
        return True
    if not scope.handles_demands:
        return False
    return _handles(scope, demand.building_id, demand.assignee_department_id, demand.assignee_member_id) or (
        demand.building.subdistrict.district_id in scope.district_ids  # read last: it may need the building
    )


def may_see_private(
    scope: ActorScope, *, building_id: int, district_id: int, department_id: int | None, member_id: int | None
) -> bool:
    """`can_see_private` on a demand's plain values (the API list reads rows, not model instances)."""
    if scope.is_superuser:
        return True
    if not scope.handles_demands:
        return False
    return _handles(scope, building_id, department_id, member_id) or district_id in scope.district_ids


def _handles(scope: ActorScope, building_id: int, department_id: int | None, member_id: int | None) -> bool:
    return (
        building_id in scope.member_building_ids
        or (department_id is not None and department_id in scope.department_ids)
        or (member_id is not None and member_id in scope.member_ids)
    )


# --- the workflow: who may take which action ---------------------------------------------------


def roles_of(scope: ActorScope, demand: Demand) -> frozenset[Role]:
    """The roles `scope`'s user holds on `demand` (no queries: the scope is preloaded)."""
    return roles_on(
        scope,
        building_id=demand.building_id,
        department_id=demand.assignee_department_id,
        member_id=demand.assignee_member_id,
    )


def roles_on(
    scope: ActorScope, *, building_id: int, department_id: int | None, member_id: int | None
) -> frozenset[Role]:
    """`roles_of` on a demand's plain values."""
    roles: set[Role] = set()
    if scope.is_superuser:
        roles.add(Role.SUPERUSER)
    if building_id in scope.triage_building_ids:
        roles.add(Role.TRIAGER)
    if (member_id is not None and member_id in scope.member_ids) or (
        department_id is not None and department_id in scope.department_ids
    ):
        roles.add(Role.ASSIGNEE)
    return frozenset(roles)


def roles_anywhere(scope: ActorScope) -> frozenset[Role]:
    """The roles the user holds on at least some demand (which bulk actions to offer at all)."""
    roles: set[Role] = set()
    if scope.is_superuser:
        roles.add(Role.SUPERUSER)
    if scope.triage_building_ids:
        roles.add(Role.TRIAGER)
    if scope.department_ids or scope.member_ids:
        roles.add(Role.ASSIGNEE)
    return frozenset(roles)


def is_permitted(scope: ActorScope, demand: Demand, action: str) -> bool:
    """Whether the user may take `action` on `demand` as far as roles go (status aside)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.roles & roles_of(scope, demand))


def can_take(scope: ActorScope, demand: Demand, action: str) -> bool:
    """Whether the user may take `action` on `demand` now: the role and the current status."""
    transition = TRANSITIONS.get(action)
    return transition is not None and demand.status in transition.sources and is_permitted(scope, demand, action)


def allowed_actions(scope: ActorScope, demand: Demand) -> list[Transition]:
    """The plain transitions this user may take on this demand now, in table order."""
    return actions_for(demand.status, roles_of(scope, demand))


def actions_for(status: str, roles: frozenset[Role]) -> list[Transition]:
    """The plain transitions holders of `roles` may take from `status`, in table order."""
    if not roles:
        return []
    return [t for t in plain_transitions() if status in t.sources and t.roles & roles]


# --- editing -----------------------------------------------------------------------------------


def may_edit(scope: ActorScope, demand: Demand) -> bool:
    """Edit, moderate and merge: the building's council (its triagers) and superusers."""
    return scope.is_superuser or demand.building_id in scope.triage_building_ids


def may_move_building(scope: ActorScope) -> bool:
    """Moving a demand to another building hands it to another council: superusers only."""
    return scope.is_superuser


def may_add_note(scope: ActorScope, demand: Demand) -> bool:
    """Public replies and internal notes: whoever holds a role on the demand."""
    return bool(roles_of(scope, demand))


# --- the admin ---------------------------------------------------------------------------------


def may_use_admin(user: AbstractBaseUser | AnonymousUser, scope: ActorScope) -> bool:
    """The demand pages of the admin: active staff who handle or oversee demands."""
    return bool(user.is_active and getattr(user, "is_staff", False) and scope.handles_demands)


def may_create_demands(scope: ActorScope) -> bool:
    """Recording a demand at the service station: a council's triagers and superusers."""
    return bool(scope.is_superuser or scope.triage_building_ids)


def may_delete_demands(scope: ActorScope) -> bool:
    """Nobody deletes a demand but a superuser (a demand is answered, merged or hidden instead)."""
    return scope.is_superuser


# --- statistics and exports ----------------------------------------------------------------------


def can_read_stats(scope: ActorScope) -> bool:
    """The statistics pages, API and reports: district staff, captains (their buildings), superusers."""
    return bool(scope.is_superuser or scope.district_ids or scope.triage_building_ids)


def stats_building_ids(scope: ActorScope) -> set[int] | None:
    """The buildings whose figures the user may read: None for all (superusers)."""
    if scope.is_superuser:
        return None
    ids = set(scope.triage_building_ids)
    if scope.district_ids:
        # A literal list of building ids, not a join: PostgreSQL then reads the demands of those buildings
        # from the covering index demand_stats_cover (index-only scans) instead of scanning the table.
        ids |= set(
            Building.objects.filter(subdistrict__district_id__in=scope.district_ids).values_list("id", flat=True)
        )
    return ids


@dataclass(frozen=True)
class StatsReach:
    """`stats_building_ids` ∩ the filters' buildings for one user, read in ONE query (`stats_reach`)."""

    user_id: int
    is_superuser: bool
    #: The buildings in reach that the filters choose, sorted; None: every building (a superuser, no filter).
    building_ids: tuple[int, ...] | None


def stats_reach(
    *,
    token: str | None = None,
    user_id: int | None = None,
    district: str = "",
    subdistrict: str = "",
    building: str = "",
) -> StatsReach | None:
    """The statistics' reach of an active user (by API token or id) narrowed by the filters' slugs, in one
    query: the warm statistics answer (stats/cached.py) is keyed by it instead of loading the whole scope
    (3 queries) and the filters' objects (3 more). The same rule as `can_read_stats`/`stats_building_ids`
    — district staff: their districts' buildings; captains and seats that may triage, in a current
    term: their building; superusers: all — written as SQL for speed; tests/requests_tracker/
    test_stats_reach.py holds it equal to `stats_building_ids(actor_scope(user))` for every member of the
    cast and random seats. None: no such active user, or no building in reach (the full path answers).
    """
    from buildings.models import Council, CouncilMember, District, Subdistrict, User

    if (token is None) == (user_id is None):
        raise ValueError("stats_reach: a token or a user id")
    today = timezone.localdate()
    narrowed = bool(district or subdistrict or building)
    building_t, subdistrict_t = Building._meta.db_table, Subdistrict._meta.db_table
    if token is not None:
        source = f"{Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
        params: list[Any] = [token]
    else:
        source = f"{User._meta.db_table} u WHERE u.id = %s"
        params = [user_id]
    roles = sorted(CouncilMember.TRIAGE_ROLES)
    # Table names come from the models' _meta and every value travels in `params`.
    # The reach as a union of the user's districts' buildings and their triage seats' buildings (and every
    # building for a superuser who filters), then the filters: each part an index lookup.
    reach = (
        f"SELECT b.id FROM {building_t} b JOIN {subdistrict_t} s ON s.id = b.subdistrict_id"  # noqa: S608
        f" JOIN {District.staff.through._meta.db_table} ds ON ds.district_id = s.district_id"
        " JOIN u ON ds.user_id = u.id"
        f" UNION SELECT c.building_id FROM {CouncilMember._meta.db_table} m"
        f" JOIN {Council._meta.db_table} c ON c.id = m.council_id JOIN u ON m.user_id = u.id"
        f" WHERE (m.can_triage OR m.role IN ({', '.join(['%s'] * len(roles))}))"
        " AND (m.term_start IS NULL OR m.term_start <= %s) AND (m.term_end IS NULL OR m.term_end >= %s)"
    )
    params += [*roles, today, today]
    if narrowed:
        reach += f" UNION SELECT b.id FROM {building_t} b JOIN u ON u.is_superuser"  # noqa: S608
    where = []
    if district:
        where.append(
            f"b.subdistrict_id IN (SELECT s.id FROM {subdistrict_t} s"  # noqa: S608
            f" JOIN {District._meta.db_table} d ON d.id = s.district_id WHERE d.slug = %s)"
        )
        params.append(district)
    if subdistrict:
        where.append(f"b.subdistrict_id IN (SELECT s.id FROM {subdistrict_t} s WHERE s.slug = %s)")  # noqa: S608
        params.append(subdistrict)
    if building:
        where.append("b.slug = %s")
        params.append(building)
    sql = (
        f"WITH u AS (SELECT u.id, u.is_superuser FROM {source} AND u.is_active),"  # noqa: S608
        f" r AS ({reach})"
        f" SELECT u.id, u.is_superuser, x.id FROM u LEFT JOIN (SELECT b.id FROM r JOIN {building_t} b ON b.id = r.id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + ") x ON 1 = 1 ORDER BY x.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    uid, superuser = rows[0][0], bool(rows[0][1])
    if superuser and not narrowed:
        return StatsReach(uid, True, None)
    ids = tuple(r[2] for r in rows if r[2] is not None)
    return StatsReach(uid, superuser, ids) if ids else None


def may_export(scope: ActorScope) -> bool:
    """Row exports (CSV/XLSX) of demands: whoever may open the demand list; they export only their scope."""
    return scope.handles_demands


# --- personal data -------------------------------------------------------------------------------


def may_read_contact_log(scope: ActorScope) -> bool:
    """The log of contact details shown in the admin: district staff (their district) and superusers.
    Not the councils or departments whose reveals it records."""
    return bool(scope.is_superuser or scope.district_ids)


def contact_log_in_scope(scope: ActorScope) -> QuerySet[ContactReveal]:
    """The reveals of demands of the user's districts' buildings (all for superusers)."""
    qs = ContactReveal.objects.all()
    if scope.is_superuser:
        return qs
    if not scope.district_ids:
        return qs.none()
    return qs.filter(building__subdistrict__district_id__in=scope.district_ids)
