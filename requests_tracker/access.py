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

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

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
