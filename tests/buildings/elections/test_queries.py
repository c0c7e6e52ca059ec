"""Pinned query counts for the election's pages, API and selectors."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from buildings.access import actor_scope
from buildings.elections import actions, selectors
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(cast: Any) -> Any:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=12, companies=2)
    for code in world.codes[:8]:
        actions.ballot_cast(election=world.election, code=code, candidate_ids=[world.candidates[0].pk])
    actions.election_close(scope=actor_scope(cast.captain_a), election=world.election)
    world.election.refresh_from_db()
    return world


def test_selectors_cost_a_fixed_number_of_queries(
    closed: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    election = selectors.election_queryset().get(pk=closed.election.pk)
    with django_assert_num_queries(1):
        selectors.turnout(election)
    with django_assert_num_queries(1):
        selectors.candidates_in_order(election)
    with django_assert_num_queries(3):
        selectors.results(election)


@pytest.mark.parametrize("elections", [1, 4])
def test_the_api_list_is_one_query_for_any_number_of_elections(
    cast: Any, elections: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(elections):
        helpers.build(cast.tower_a, cast.captain_a, electors=3)
    client = Client()
    with django_assert_num_queries(1):
        response = client.get("/api/v1/elections/?building=shanghai-tower")
    assert len(response.json()) == elections


def test_the_public_pages_cost_a_fixed_number_of_queries(
    closed: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = Client()
    key = closed.election.key
    # election, candidates, ballots, roll, candidates again (the list), turnout
    with django_assert_num_queries(6):
        assert client.get(reverse("election", args=[key])).status_code == 200
    with django_assert_num_queries(3):  # election, turnout, candidates
        assert client.get(reverse("api-election", args=[key])).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(reverse("api-election-results", args=[key])).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(reverse("api-election-receipt", args=[key, "ABCDE-FGHJK"])).status_code == 404


def test_a_ballot_costs_a_fixed_number_of_queries(cast: Any, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=3)
    client = Client()
    url = reverse("api-election-ballots", args=[world.election.key])
    body = {"code": world.codes[0], "candidates": [world.candidates[0].pk]}
    # election; the shared lock (PostgreSQL only) and the re-read; candidates; the compare-and-set; the ballot
    with django_assert_num_queries(7 + (connection.vendor == "postgresql")):
        assert client.post(url, body, content_type="application/json").status_code == 201
