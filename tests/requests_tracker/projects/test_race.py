"""Two captains act on one project at the same moment, on two real PostgreSQL connections.

Linking the same demand twice at once leaves one link and one timeline event; completing twice at
once completes once (the project row is locked; the second one sees "done" and gets a 409).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from requests_tracker.actions import TransitionError
from requests_tracker.models import Demand, DemandEvent
from requests_tracker.projects import actions
from requests_tracker.projects.models import Project, ProjectDemand, ProjectUpdate
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at

from .helpers import make_project

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20


def _twice(run: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(2, timeout=TIMEOUT)
    results: list[Any] = [None, None]

    def worker(i: int) -> None:
        try:
            start.wait()
            results[i] = run()
        except Exception as error:  # the loser's refusal is the result
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    return results


def test_linking_the_same_demand_at_once_links_it_once(cast: factories.Cast) -> None:
    for _ in range(5):
        project = make_project(cast)
        demand = demand_at(cast)

        results = _twice(
            lambda p=project, d=demand: actions.project_link_demand(
                project=Project.objects.get(pk=p.pk), demand=Demand.objects.get(pk=d.pk), actor=cast.captain_a
            )
        )

        assert sorted(results) == [False, True], results
        assert ProjectDemand.objects.filter(project=project).count() == 1
        assert demand.events.filter(kind=DemandEvent.Kind.PROJECT_LINKED).count() == 1


def test_completing_at_once_completes_once(cast: factories.Cast) -> None:
    for _ in range(5):
        project = make_project(cast)

        results = _twice(
            lambda p=project: actions.project_complete(
                project=Project.objects.get(pk=p.pk), actor=cast.captain_a, note="完成"
            )
        )

        refused = [r for r in results if isinstance(r, TransitionError)]
        assert len(refused) == 1 and refused[0].code == "invalid_state", results
        assert ProjectUpdate.objects.filter(project=project, status_after="done").count() == 1
