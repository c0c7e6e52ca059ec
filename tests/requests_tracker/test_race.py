"""Two people act on one demand at the same moment, on two real PostgreSQL connections.

The compare-and-set on (status, version) must let exactly one of them win; the other gets a
"stale" refusal and writes nothing. SQLite serialises writers, so only PostgreSQL proves it;
transactional_db, so that each thread's transaction really commits, as in production.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from buildings.models import User
from requests_tracker import actions
from requests_tracker.actions import Assignee, TransitionError
from requests_tracker.actions import transitions as transition_actions
from requests_tracker.models import Demand
from requests_tracker.workflow import Outcome, Status
from tests import factories
from tests.requests_tracker import demand_helpers

pytestmark = pytest.mark.postgres

ROUNDS = 10
TIMEOUT = 20  # seconds: a broken barrier fails the test instead of hanging it
RACER = "racer-"


@pytest.fixture
def both_past_the_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Barrier]:
    """Holds each racer just before its UPDATE until both have passed the Python-side checks.

    Without it the first thread could commit before the second passed its checks, and the race
    would only exercise the in-memory version check, not the compare-and-set in the database.
    """
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    validate = transition_actions._validate_params

    def validate_then_wait(*args: Any, **kwargs: Any) -> None:
        validate(*args, **kwargs)
        if threading.current_thread().name.startswith(RACER):  # not while setting the demand up
            barrier.wait()

    monkeypatch.setattr(transition_actions, "_validate_params", validate_then_wait)
    yield barrier


Move = tuple[str, dict[str, Any]]


def _race(demand_id: int, actor_id: int, moves: tuple[Move, Move]) -> list[Any]:
    """Runs the two moves in two threads, each on its own connection; returns each one's result or error."""
    start = threading.Barrier(2, timeout=TIMEOUT)
    results: list[Any] = [None, None]
    loaded_versions: list[int] = [0, 0]

    def run(i: int) -> None:
        try:
            actor = User.objects.get(pk=actor_id)
            demand = Demand.objects.get(pk=demand_id)
            loaded_versions[i] = demand.version
            start.wait()
            action, params = moves[i]
            results[i] = actions.demand_transition(demand=demand, action=action, actor=actor, **params)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"{RACER}{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    assert loaded_versions[0] == loaded_versions[1] != 0, "both racers must load the same version"
    return results


def _winner_and_loser(results: list[Any]) -> tuple[int, TransitionError]:
    winners = [i for i, r in enumerate(results) if isinstance(r, Demand)]
    losers = [r for r in results if isinstance(r, TransitionError)]
    assert len(winners) == 1, f"exactly one racer must win: {results!r}"
    assert len(losers) == 1, f"the other must be refused: {results!r}"
    return winners[0], losers[0]


def _new_demand(cast: factories.Cast, status: str) -> Demand:
    return demand_helpers.demand_at(cast, status, assignee=Assignee(department=cast.fire))


def test_same_transition_twice_at_once_lets_one_win(
    transactional_db: None, cast: factories.Cast, both_past_the_checks: threading.Barrier
) -> None:
    for _ in range(ROUNDS):
        demand = _new_demand(cast, Status.ASSIGNED)
        version, events = demand.version, demand.events.count()

        results = _race(demand.pk, cast.dept_staff.pk, (("start", {}), ("start", {})))

        _, loser = _winner_and_loser(results)
        assert loser.code == "stale"
        demand.refresh_from_db()
        assert (demand.status, demand.version) == (Status.IN_PROGRESS, version + 1)
        assert demand.events.count() == events + 1
        assert demand.events.filter(kind="started").count() == 1


def test_resolve_and_reassign_at_once_leave_one_consistent_outcome(
    transactional_db: None, cast: factories.Cast, both_past_the_checks: threading.Barrier
) -> None:
    market = factories.DepartmentFactory(code="market", name="区市场监管局")
    moves: tuple[Move, Move] = (
        ("resolve", {"outcome": Outcome.SOLVED, "note": "已协调物业开放货梯"}),
        ("assign", {"assignee": Assignee(department=market)}),
    )
    for _ in range(ROUNDS):
        demand = _new_demand(cast, Status.IN_PROGRESS)
        version, events = demand.version, demand.events.count()

        results = _race(demand.pk, cast.captain_a.pk, moves)

        winner, loser = _winner_and_loser(results)
        assert loser.code == "stale"
        demand.refresh_from_db()
        assert demand.version == version + 1
        assert demand.events.count() == events + 1
        new_event = demand.events.latest("id")
        if moves[winner][0] == "resolve":
            assert (demand.status, demand.outcome, demand.assignee_department) == (
                Status.RESOLVED,
                Outcome.SOLVED,
                cast.fire,
            )
            assert new_event.kind == "resolved"
        else:
            assert (demand.status, demand.outcome, demand.assignee_department) == (Status.ASSIGNED, "", market)
            assert new_event.kind == "assigned"
