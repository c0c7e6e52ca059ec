"""Editing a demand (`actions.demand_edit`): the admin's change form writes through it, so every edit
leaves a timeline event, moves the tallies and refreshes the screens of every building it touched."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_tracker import actions, screen, stats
from requests_tracker.models import Demand, DemandEvent, DemandTally
from tests import factories
from tests.requests_tracker.htmlforms import form_by_id

pytestmark = pytest.mark.django_db


def _tally(building_id: int) -> dict[tuple[str, str], int]:
    return {(t.status, t.outcome): t.n for t in DemandTally.objects.filter(building_id=building_id).exclude(n=0)}


def _recount(building_id: int) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for d in Demand.objects.filter(building_id=building_id):
        counts[(d.status, d.outcome)] = counts.get((d.status, d.outcome), 0) + 1
    return counts


def _change_form(client: Client, demand: Demand) -> Any:
    response = client.get(reverse("admin:requests_tracker_demand_change", args=[demand.pk]))
    assert response.status_code == 200
    return form_by_id(response.content.decode(), "demand_form")


def test_superuser_moving_a_demand_to_another_building_moves_its_figures_and_timeline(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, title="外卖无法上楼")
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(cast.superuser)
    form = _change_form(client, demand)
    form.data["building"] = str(cast.tower_b.pk)
    stamp_a, stamp_b = screen.building_stamp(cast.tower_a.pk), screen.building_stamp(cast.tower_b.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:requests_tracker_demand_change", args=[demand.pk]), form.data)

    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.building == cast.tower_b
    # The timeline says it moved, publicly (the resident sees where their demand went).
    edited = demand.events.get(kind=DemandEvent.Kind.EDITED)
    assert edited.is_public and "金茂" in edited.note and edited.data["fields"] == ["building"]
    # The tallies follow: Jin Mao's headline counts it, Shanghai Tower's no longer does.
    assert _tally(cast.tower_a.pk) == _recount(cast.tower_a.pk) == {}
    assert _tally(cast.tower_b.pk) == _recount(cast.tower_b.pk) == {("submitted", ""): 1}
    assert stats.headline_from_tallies({cast.tower_b.pk})["figures"]["received"] == 1
    assert stats.headline_from_tallies({cast.tower_a.pk})["figures"]["received"] == 0
    # Both buildings' screens take a new stamp.
    assert screen.building_stamp(cast.tower_a.pk) != stamp_a
    assert screen.building_stamp(cast.tower_b.pk) != stamp_b
    assert demand.version == 2


def test_a_captain_cannot_move_a_demand_to_another_building(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)

    with pytest.raises(actions.TransitionError) as refused:
        actions.demand_edit(demand=demand, actor=cast.captain_a, changes={"building": cast.tower_b})

    assert refused.value.code == "forbidden"
    demand.refresh_from_db()
    assert (demand.building, demand.version, demand.events.count()) == (cast.tower_a, 1, 1)


def test_an_edit_on_an_old_version_changes_nothing(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    other = factories.CategoryFactory(code="parking")

    with pytest.raises(actions.TransitionError) as refused:
        actions.demand_edit(demand=demand, actor=cast.captain_a, changes={"category": other}, expected_version=0)

    assert refused.value.code == "stale"
    demand.refresh_from_db()
    assert (demand.category, demand.version) == (cast.category, 1)


def test_a_floor_outside_the_new_building_is_refused_with_its_range(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, floor=120)

    with pytest.raises(actions.TransitionError) as refused:
        actions.demand_edit(demand=demand, actor=cast.superuser, changes={"building": cast.tower_b})

    assert refused.value.field == "floor"
    assert str(cast.tower_b.floors) in refused.value.message
    assert Demand.objects.get(pk=demand.pk).building == cast.tower_a


def test_contact_edits_are_internal_and_keep_the_details_off_the_timeline(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)

    actions.demand_edit(demand=demand, actor=cast.captain_a, changes={"contact_phone": "13812345678"})

    edited = demand.events.get(kind=DemandEvent.Kind.EDITED)
    assert not edited.is_public
    assert "13812345678" not in edited.note + str(edited.data)
