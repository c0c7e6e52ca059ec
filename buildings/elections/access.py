"""Who may see and do what with an election; asked by the pages, the API, the exports and the admin.

- Setting up, opening, closing, certifying, cancelling, the roll and its codes: the building's captains
  (triaging council seats) and the staff of the building's district, and superusers.
- Marking an elector as having voted on paper: those, and any serving member of the building's council.
- Entering and confirming paper totals: serving council members of the building (two different people).
- Everyone sees an election once it is out of draft; drafts only those who set them up.
- Counts: nobody — superusers included — before voting has closed (`Election.results_public`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buildings.access import ActorScope, serving_members
from buildings.models import Building, CouncilMember

from .models import Election


def can_manage_building(scope: ActorScope, building: Building) -> bool:
    return bool(
        scope.is_superuser
        or building.pk in scope.triage_building_ids
        or building.subdistrict.district_id in scope.district_ids
    )


def can_manage(scope: ActorScope, election: Election) -> bool:
    return can_manage_building(scope, election.building)


def manageable(scope: ActorScope) -> Q:
    """A filter on Election for the elections `scope` may set up and run."""
    if scope.is_superuser:
        return Q()
    return Q(building_id__in=scope.triage_building_ids) | Q(building__subdistrict__district_id__in=scope.district_ids)


def visible(scope: ActorScope) -> Q:
    """A filter on Election: out of draft, or manageable by `scope`."""
    return ~Q(status=Election.Status.DRAFT) | manageable(scope)


def can_see(scope: ActorScope, election: Election) -> bool:
    return election.status != Election.Status.DRAFT or can_manage(scope, election)


def can_mark_paper(scope: ActorScope, election: Election) -> bool:
    return can_manage(scope, election) or election.building_id in scope.member_building_ids


def council_seat(scope: ActorScope, election: Election) -> CouncilMember | None:
    """The user's serving seat on this building's council (paper totals are entered by members)."""
    if election.building_id not in scope.member_building_ids:
        return None
    return serving_members().filter(pk__in=scope.member_ids, council__building_id=election.building_id).first()


def results_visible(election: Election) -> bool:
    """The embargo, the same for every role: nothing is counted for anyone before close."""
    return election.results_public


def manageable_elections(scope: ActorScope, qs: QuerySet[Election] | None = None) -> QuerySet[Election]:
    qs = qs if qs is not None else Election.objects.all()
    if not (scope.is_superuser or scope.triage_building_ids or scope.district_ids):
        return qs.none()
    return qs.filter(manageable(scope))
