"""300 electors vote at once on real PostgreSQL; every tenth code is sent twice at the same moment.

Each thread has its own connection and really commits (transactional_db), as in production: exactly
one ballot per code, as many ballots as electors marked, and a count that adds up.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from buildings.access import actor_scope
from buildings.elections import actions, selectors
from buildings.elections.models import Ballot, Election, Elector
from buildings.models import Building
from tests import factories
from tests.buildings.elections import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ELECTORS = 300
THREADS = 16  # own connections each: kind to a PostgreSQL shared with other test runs
TIMEOUT = 60


def test_300_electors_at_once_with_every_tenth_code_sent_twice(django_db_blocker: Any) -> None:
    cast = factories.build_cast()
    tower = Building.objects.get(slug="shanghai-tower")
    world = helpers.build(tower, cast.captain_a, electors=ELECTORS, candidates=4, seats=2, companies=5)
    ids = [c.pk for c in world.candidates]
    # Each elector's choice is decided up front, so the expected count is known exactly.
    plan = [(code, [ids[i % 4], ids[(i + 1) % 4]] if i % 3 else [ids[i % 4]]) for i, code in enumerate(world.codes)]
    jobs = [*plan, *(plan[i] for i in range(0, ELECTORS, 10))]  # every tenth code twice
    start = threading.Barrier(THREADS, timeout=TIMEOUT)
    outcomes: list[Any] = []
    lock = threading.Lock()
    election_id = world.election.pk

    def worker(part: list[tuple[str, list[int]]]) -> None:
        try:
            election = Election.objects.get(pk=election_id)
            start.wait()
            for code, choice in part:
                try:
                    result: Any = actions.ballot_cast(election=election, code=code, candidate_ids=choice)
                except actions.ElectionError as exc:
                    result = exc
                with lock:
                    outcomes.append((code, result))
        finally:
            connection.close()

    # Twins land in different threads at the same position, so they really are sent together.
    parts: list[list[tuple[str, list[int]]]] = [[] for _ in range(THREADS)]
    for n, job in enumerate(plan):
        parts[n % THREADS].append(job)
    twins = [plan[i] for i in range(0, ELECTORS, 10)]
    for n, job in enumerate(twins):
        parts[(n + THREADS // 2) % THREADS].insert(0, job)
    for n, job in enumerate(plan):
        if n % 10 == 0:
            # the original of each twin goes first in its own thread too
            part = parts[n % THREADS]
            part.remove(job)
            part.insert(0, job)
    assert sum(len(p) for p in parts) == len(jobs)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, parts, timeout=TIMEOUT * 3))

    assert len(outcomes) == len(jobs)
    wins = Counter(code for code, result in outcomes if isinstance(result, str))
    losses = [(code, result) for code, result in outcomes if not isinstance(result, str)]
    assert set(wins.values()) == {1} and len(wins) == ELECTORS  # exactly one ballot per code
    assert len(losses) == ELECTORS // 10
    assert all(exc.status == 409 for _code, exc in losses)
    assert Ballot.objects.filter(election_id=election_id).count() == ELECTORS
    assert Elector.objects.filter(election_id=election_id, voted="online").count() == ELECTORS
    receipts = [r for _code, r in outcomes if isinstance(r, str)]
    assert len(set(receipts)) == ELECTORS

    election = actions.election_close(scope=actor_scope(cast.captain_a), election=Election.objects.get(pk=election_id))
    result = selectors.results(election)
    expected = Counter(c for _code, choice in plan for c in choice)
    assert {r.candidate.pk: r.votes for r in result.candidates} == {i: expected[i] for i in ids}
    assert result.turnout.voted == result.ballots == ELECTORS
