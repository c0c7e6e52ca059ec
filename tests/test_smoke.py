import pytest

from requests_tracker import actions
from tests import factories


@pytest.mark.django_db
def test_cast_builds_and_captain_assigns(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    demand = actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    assert demand.status == "assigned"
    assert demand.version == 2
    assert [e.kind for e in demand.events.all()] == ["submitted", "assigned"]
