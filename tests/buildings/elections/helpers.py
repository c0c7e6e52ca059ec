"""Setting up elections for the tests, through the actions (as the council would)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from buildings.access import actor_scope
from buildings.elections import actions
from buildings.elections.models import Candidate, Election
from buildings.models import Building, Company, User
from tests import factories


@dataclass
class World:
    election: Election
    candidates: list[Candidate]
    codes: list[str]
    elector_ids: list[int]
    companies: list[Company] = field(default_factory=list)


def build(
    building: Building,
    captain: User,
    *,
    electors: int = 6,
    candidates: int = 3,
    seats: int = 2,
    companies: int = 1,
    open_voting: bool = True,
    min_turnout_percent: int = 0,
    opens_at: datetime | None = None,
) -> World:
    """An election in `building` with `candidates`, a roll spread over `companies`, opened unless told not to."""
    scope = actor_scope(captain)
    now = timezone.now()
    firms = [
        Company.objects.get_or_create(building=building, name=f"{building.slug}企业{i}有限公司")[0]
        for i in range(companies)
    ]
    election = actions.election_create(
        scope=scope,
        actor=captain,
        building=building,
        title="员工代表选举",
        seats=seats,
        opens_at=opens_at or now - timedelta(minutes=5),
        closes_at=now + timedelta(days=1),
        min_turnout_percent=min_turnout_percent,
    )
    people = [
        actions.candidate_add(scope=scope, election=election, name=f"候选人{i}", company=firms[0].name)
        for i in range(candidates)
    ]
    issued = actions.electors_import(
        scope=scope,
        actor=captain,
        election=election,
        rows=[{"name": f"选民{i}", "company": firms[i % companies].name, "ref": f"E{i:05d}"} for i in range(electors)],
    )
    if open_voting:
        actions.election_open(scope=scope, election=election)
    election.refresh_from_db()
    return World(election, people, [i.code for i in issued], [i.elector.pk for i in issued], firms)


def cast_world(building_slug: str = "shanghai-tower") -> tuple[factories.Cast, Building]:
    cast = factories.build_cast()
    return cast, Building.objects.get(slug=building_slug)
