"""Invariants as properties: the count adds up, one ballot per code, the elected are the top of the count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildings.access import actor_scope
from buildings.elections import actions, selectors, tally
from buildings.elections.models import Ballot, Elector
from tests.buildings.elections import helpers


@st.composite
def elections(draw: Any) -> tuple[list[int], list[list[int]], dict[int, int], int, list[int]]:
    n = draw(st.integers(1, 6))
    ids = list(range(100, 100 + n))
    seats = draw(st.integers(1, 4))
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), max_size=seats, unique=True), max_size=40))
    paper = draw(st.dictionaries(st.sampled_from(ids), st.integers(0, 5)))
    lot = draw(st.permutations(ids))
    return ids, ballots, paper, seats, list(lot)


@given(elections())
def test_the_count_adds_up_and_elects_the_top_of_the_count(case: Any) -> None:
    ids, ballots, paper, seats, lot = case
    result = tally.count(ids, ballots, paper, seats, lot)

    assert sum(result.votes.values()) == sum(len(b) for b in ballots) + sum(paper.values())
    assert all(result.votes[c] == result.online[c] + result.paper[c] for c in ids)
    assert len(result.elected) == min(seats, sum(1 for c in ids if result.votes[c] > 0))
    assert not result.undecided  # a full lot decides every tie
    losers = [c for c in ids if c not in result.elected]
    assert all(result.votes[w] >= result.votes[x] for w in result.elected for x in losers)
    assert all(result.votes[w] > 0 for w in result.elected)


@given(elections())
def test_without_a_lot_a_tie_leaves_its_seats_open_rather_than_guessing(case: Any) -> None:
    ids, ballots, paper, seats, _lot = case
    result = tally.count(ids, ballots, paper, seats)

    assert len(result.elected) <= seats
    assert not set(result.elected) & set(result.undecided)
    if result.undecided:
        tied_votes = {result.votes[c] for c in result.undecided}
        assert len(tied_votes) == 1
        tied = next(iter(tied_votes))
        assert all(result.votes[w] > tied for w in result.elected)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attempts=st.lists(st.tuples(st.integers(0, 7), st.lists(st.integers(0, 2), max_size=3)), min_size=1, max_size=25)
)
def test_one_ballot_per_code_whatever_the_voters_send(cast: Any, attempts: list[tuple[int, list[int]]]) -> None:
    with transaction.atomic():
        world = helpers.build(cast.tower_a, cast.captain_a, electors=8, candidates=3, seats=2)
        ids = [c.pk for c in world.candidates]
        accepted: dict[int, list[int]] = {}
        for who, picks in attempts:
            choice = [ids[p] for p in picks]
            try:
                actions.ballot_cast(election=world.election, code=world.codes[who], candidate_ids=choice)
            except actions.ElectionError as exc:
                assert exc.status in (400, 409)
                assert who in accepted or exc.status == 400
            else:
                assert who not in accepted
                accepted[who] = choice

        ballots = Ballot.objects.filter(election=world.election).count()
        assert ballots == len(accepted) == Elector.objects.filter(election=world.election).exclude(voted="").count()
        election = actions.election_close(scope=actor_scope(cast.captain_a), election=world.election)
        result = selectors.results(election)
        assert sum(r.votes for r in result.candidates) == sum(len(c) for c in accepted.values())
        transaction.set_rollback(True)
