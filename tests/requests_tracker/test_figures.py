"""The headline figures are defined once (selectors.demand_figures) and count what their definitions say."""

import pytest

from requests_tracker import actions, selectors
from requests_tracker.models import Demand
from tests import factories

pytestmark = pytest.mark.django_db


def test_figures_count_every_demand_by_status_including_private_ones(
    cast: factories.Cast, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    fire = actions.Assignee(department=cast.fire)
    waiting = factories.make_demand(cast.tower_a, cast.category, is_public=False)
    assigned = factories.make_demand(cast.tower_a, cast.category)
    actions.demand_transition(demand=assigned, action="assign", actor=cast.captain_a, assignee=fire)
    done = factories.make_demand(cast.tower_a, cast.category)
    done = actions.demand_transition(demand=done, action="assign", actor=cast.captain_a, assignee=fire)
    actions.demand_transition(demand=done, action="resolve", actor=cast.captain_a, outcome="solved", note="已安装")
    factories.make_demand(cast.tower_b, cast.category)  # another building: not counted

    with django_assert_num_queries(1):
        figures = selectors.demand_figures(Demand.objects.filter(building=cast.tower_a))

    assert (figures.received, figures.resolved, figures.in_progress, figures.waiting) == (3, 1, 1, 1)
    assert figures.resolution_rate == pytest.approx(1 / 3)
    assert waiting.is_public is False


def test_hidden_and_private_demands_are_not_public(cast: factories.Cast) -> None:
    shown = factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_a, cast.category, is_public=False)
    hidden = factories.make_demand(cast.tower_a, cast.category)
    Demand.objects.filter(pk=hidden.pk).update(is_hidden=True)

    assert list(selectors.public_demands()) == [shown]


def test_company_name_is_public_only_when_the_submitter_allowed_it(cast: factories.Cast, client) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category, title="不公开企业", company_name="摩根大通")
    factories.make_demand(cast.tower_a, cast.category, title="公开企业", company_name="摩根大通", show_company=True)

    rows = {d["title"]: d for d in client.get("/api/v1/demands/").json()["results"]}

    assert rows["不公开企业"]["company_name"] == ""
    assert rows["公开企业"]["company_name"] == "摩根大通"
    client.force_login(cast.captain_a)
    rows = {d["title"]: d for d in client.get("/api/v1/demands/").json()["results"]}
    assert rows["不公开企业"]["company_name"] == "摩根大通"
