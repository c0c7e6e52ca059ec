"""Helpers for the workflow, race and API tests: demands at any status, with a real timeline."""

from __future__ import annotations

from typing import Any

from buildings.models import Building, User
from requests_tracker import actions
from requests_tracker.models import Demand
from requests_tracker.workflow import Action, Outcome, Status
from tests import factories

#: The happy path to each status.
PATH_TO: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: (),
    Status.ASSIGNED: (Action.ASSIGN,),
    Status.IN_PROGRESS: (Action.ASSIGN, Action.START),
    Status.RESOLVED: (Action.ASSIGN, Action.START, Action.RESOLVE),
}


def drive(demand: Demand, status: str, *, by: User, assignee: actions.Assignee) -> Demand:
    """Moves a fresh demand along the happy path to `status`, assigning it to `assignee`."""
    for action in PATH_TO[status]:
        params: dict[str, Any] = {}
        if action == Action.ASSIGN:
            params["assignee"] = assignee
        if action == Action.RESOLVE:
            params.update(outcome=Outcome.SOLVED, note="已在一楼2号门安装智能取餐柜。")
        demand = actions.demand_transition(demand=demand, action=action, actor=by, **params)
    return demand


def demand_at(
    cast: factories.Cast,
    status: str = Status.SUBMITTED,
    *,
    building: Building | None = None,
    assignee: actions.Assignee | None = None,
    **submit_kwargs: Any,
) -> Demand:
    """A demand submitted in `building` (Shanghai Tower) and moved by the superuser to `status`."""
    demand = factories.make_demand(building or cast.tower_a, cast.category, **submit_kwargs)
    return drive(demand, status, by=cast.superuser, assignee=assignee or actions.Assignee(department=cast.fire))
