"""Two people at the same moment, on two real PostgreSQL connections (transactional_db: real commits)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from requests_tracker.ask import actions as ask_actions
from requests_tracker.models import Demand
from services.guide import actions as guide_actions
from services.guide.models import Matter, MatterRevision

from .conftest import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TIMEOUT = 20


def _together(*jobs: Any) -> list[Any]:
    start = threading.Barrier(len(jobs), timeout=TIMEOUT)
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = jobs[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    return results


def test_two_departments_editing_one_matter_at_once_one_wins_and_history_has_one_entry(cast: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    world = build_world(cast)
    matter = Matter.objects.get(pk=world.matter.pk)
    results = _together(
        lambda: guide_actions.matter_update(matter=matter, actor=None, expected_version=1, fees="免费"),
        lambda: guide_actions.matter_update(matter=matter, actor=None, expected_version=1, fees="50元"),
    )
    wins = [r for r in results if isinstance(r, Matter)]
    losses = [r for r in results if isinstance(r, guide_actions.MatterError)]
    assert len(wins) == 1 and len(losses) == 1 and losses[0].code == "stale"
    assert Matter.objects.get(pk=matter.pk).fees == wins[0].fees
    assert MatterRevision.objects.filter(matter=matter).count() == 1


def test_one_browser_voting_twice_at_once_counts_once(cast: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    world = build_world(cast)
    question = ask_actions.question_ask(building=world.tower_a, category=world.category, title="外卖柜在哪？")
    demand = Demand.objects.get(pk=question.pk)
    results = _together(
        lambda: ask_actions.question_vote(demand=demand, client_key="k" * 64, helpful=True),
        lambda: ask_actions.question_vote(demand=demand, client_key="k" * 64, helpful=False),
    )
    assert sorted(results) == [False, True]
    assert demand.question_votes.count() == 1
