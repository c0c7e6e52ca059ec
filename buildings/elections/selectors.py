"""Reads about elections, each with a fixed number of queries; counts only behind the embargo."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from buildings.access import ActorScope

from . import access, tally
from .models import Ballot, Candidate, Election, Elector

#: Turnout per company is published only for companies at least this large (smaller ones identify people).
MIN_COMPANY_FOR_TURNOUT = 5


class Embargoed(Exception):
    """Asked for a count before voting closed."""


def election_queryset() -> QuerySet[Election]:
    return Election.objects.select_related("building__subdistrict", "building__council")


def election_for(scope: ActorScope, key: str) -> Election:
    """The election behind `key` if `scope` may see it (one query), else 404 — drafts are private."""
    election = election_queryset().filter(key=key).first()
    if election is None or not access.can_see(scope, election):
        raise Http404
    return election


def elections_for_building(scope: ActorScope, building_slug: str | None) -> QuerySet[Election]:
    """Visible elections, newest first, each with its turnout annotated: one query for any number."""
    qs = election_queryset().filter(access.visible(scope))
    if building_slug:
        qs = qs.filter(building__slug=building_slug)
    return qs.annotate(
        roll_size=Count("electors", distinct=True),
        roll_voted=Count("electors", filter=~Q(electors__voted=Elector.Voted.NO), distinct=True),
    ).order_by("-opens_at", "-id")


@dataclass(frozen=True)
class Turnout:
    voted: int
    electors: int

    @property
    def percent(self) -> float:
        return round(100 * self.voted / self.electors, 1) if self.electors else 0.0


def turnout(election: Election) -> Turnout:
    """How many of the roll have voted (online or on paper): one query (none if annotated). Not a count of votes."""
    if hasattr(election, "roll_size"):
        return Turnout(voted=getattr(election, "roll_voted", 0), electors=election.roll_size)
    row = Elector.objects.filter(election=election).aggregate(
        electors=Count("id"), voted=Count("id", filter=~Q(voted=Elector.Voted.NO))
    )
    return Turnout(voted=row["voted"], electors=row["electors"])


def candidates_in_order(election: Election) -> list[Candidate]:
    """The candidates in the election's own random order, the same for everyone: one query."""
    return sorted(Candidate.objects.filter(election=election), key=lambda c: election.candidate_rank(c.pk))


@dataclass(frozen=True)
class CandidateResult:
    candidate: Candidate
    votes: int
    online: int
    paper: int
    elected: bool
    undecided: bool


@dataclass(frozen=True)
class CompanyTurnout:
    company: str
    voted: int
    electors: int

    @property
    def percent(self) -> float:
        return round(100 * self.voted / self.electors, 1) if self.electors else 0.0


@dataclass
class Results:
    election: Election
    turnout: Turnout
    candidates: list[CandidateResult]
    companies: list[CompanyTurnout]
    ballots: int
    paper_voters: int
    paper_confirmed: bool
    needs_lot: bool
    voters_by_company: dict[str, list[str]] = field(default_factory=dict)

    @property
    def elected(self) -> list[CandidateResult]:
        return sorted((r for r in self.candidates if r.elected), key=lambda r: -r.votes)


def results(election: Election) -> Results:
    """The count after close (three queries); raises Embargoed before — for every caller alike."""
    if not access.results_visible(election):
        raise Embargoed
    candidates = candidates_in_order(election)
    choices = list(Ballot.objects.filter(election=election).values_list("choices", flat=True))
    roll = list(
        Elector.objects.filter(election=election)
        .order_by("company__name", "name", "ref")
        .values_list("company__name", "name", "ref", "voted")
    )
    paper_confirmed = election.paper_confirmed_by_id is not None
    paper = {int(k): int(v) for k, v in election.paper_totals.items()} if paper_confirmed else {}
    counted = tally.count(
        [c.pk for c in candidates], choices, paper, election.seats, [int(i) for i in election.lot_order]
    )
    per_company: dict[str, list[int]] = {}
    voters: dict[str, list[str]] = {}
    for company, name, ref, voted in roll:
        numbers = per_company.setdefault(company, [0, 0])
        numbers[1] += 1
        if voted:
            numbers[0] += 1
            voters.setdefault(company, []).append(name or ref)
    total = Turnout(voted=sum(v for v, _ in per_company.values()), electors=len(roll))
    return Results(
        election=election,
        turnout=total,
        candidates=[
            CandidateResult(
                candidate=c,
                votes=counted.votes[c.pk],
                online=counted.online[c.pk],
                paper=counted.paper[c.pk],
                elected=c.pk in counted.elected and election.status != Election.Status.VOID,
                undecided=c.pk in counted.undecided,
            )
            for c in candidates
        ],
        companies=[
            CompanyTurnout(company, voted, electors)
            for company, (voted, electors) in per_company.items()
            if electors >= MIN_COMPANY_FOR_TURNOUT
        ],
        ballots=len(choices),
        paper_voters=sum(1 for row in roll if row[3] == Elector.Voted.PAPER),
        paper_confirmed=paper_confirmed,
        needs_lot=counted.needs_lot,
        voters_by_company=voters,
    )
