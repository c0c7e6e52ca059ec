"""A superuser's delete in the admin goes through the after-change path (`actions.demand_delete`): the
tallies, rollups, the public list's count, the statistics and the search follow it. Before, the admin
deleted the row alone and every maintained figure kept counting the demand."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from requests_tracker import actions, selectors
from requests_tracker.actions import Assignee
from requests_tracker.models import Demand, DemandTally
from requests_tracker.stats.tallies import rebuild_tallies
from tests import factories
from tests.requests_tracker.test_api import DEMANDS, client_for

pytestmark = pytest.mark.django_db


def _tallies() -> dict[tuple[int, str, str], int]:
    return {(t.building_id, t.status, t.outcome): t.n for t in DemandTally.objects.all() if t.n}


def _recount() -> dict[tuple[int, str, str], int]:
    kept = _tallies()
    rebuild_tallies()
    recount = _tallies()
    return recount if kept == recount else {("differs", str(kept), str(recount)): 0}  # type: ignore[dict-item]


def _world(cast: factories.Cast) -> list[Demand]:
    cache.clear()
    demands = [factories.make_demand(cast.tower_a, cast.category) for _ in range(4)]
    actions.demand_transition(
        demand=demands[1], action="assign", actor=cast.superuser, assignee=Assignee(department=cast.fire)
    )
    actions.demand_transition(
        demand=Demand.objects.get(pk=demands[1].pk),
        action="resolve",
        actor=cast.superuser,
        outcome="solved",
        note="已解决",
    )
    return demands


def test_deleting_in_the_admin_keeps_the_tallies_and_the_public_count_right(cast: factories.Cast) -> None:
    demands = _world(cast)
    before = client_for(None).get(DEMANDS).json()["count"]
    client = Client()
    client.force_login(cast.superuser)
    response = client.post(f"/admin/requests_tracker/demand/{demands[1].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:500]
    assert not Demand.objects.filter(pk=demands[1].pk).exists()
    kept = _tallies()
    rebuild_tallies()
    assert kept == _tallies()  # the maintained tallies equal a recount
    assert client_for(None).get(DEMANDS).json()["count"] == before - 1 == selectors.public_demands().count()


def test_deleting_several_at_once_in_the_admin(cast: factories.Cast) -> None:
    demands = _world(cast)
    client = Client()
    client.force_login(cast.superuser)
    ids = [str(demands[0].pk), str(demands[2].pk)]
    response = client.post(
        "/admin/requests_tracker/demand/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not Demand.objects.filter(pk__in=ids).exists()
    kept = _tallies()
    rebuild_tallies()
    assert kept == _tallies()


@pytest.mark.postgres
def test_the_rollups_follow_a_deletion(cast: factories.Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the rollups are kept on PostgreSQL only")
    from requests_tracker.models import DemandMonthTally

    demands = _world(cast)

    def months() -> list[tuple[Any, ...]]:
        return sorted(
            (r.building_id, r.month, r.received, r.resolved)
            for r in DemandMonthTally.objects.all()
            if r.received or r.resolved
        )

    actions.demand_delete(demand=demands[1], actor=cast.superuser)
    kept = months()
    rebuild_tallies()
    assert kept == months()


def test_nobody_but_a_superuser_deletes(cast: factories.Cast) -> None:
    demand = _world(cast)[0]
    with pytest.raises(PermissionDenied):
        actions.demand_delete(demand=demand, actor=cast.captain_a)
    assert Demand.objects.filter(pk=demand.pk).exists()
    assert actions.demand_delete(demand=demand, actor=cast.superuser) is True
    assert actions.demand_delete(demand=demand, actor=cast.superuser) is False  # gone already
