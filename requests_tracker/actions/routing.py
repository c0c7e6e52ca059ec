"""Routing by rule at intake: the system actor that assigns a new demand where a rule says it goes.

The service hall sends a request straight to the service's department, and the question desk sends
a question to the matter's department or the building's economic captain. The workflow's "assign"
belongs to the building's triagers, so such an assignment is made by one named system account
(`SYSTEM_USERNAME`: active, no usable password, not staff, not a superuser) acting, for this one
call only, as a triager of the demand's building — no more reach than a captain of that building
has, and the timeline shows the assignment like any other. The account cannot log in; the
`assign` event's actor names it, so who routed what stays visible in the admin.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from buildings.access import ActorScope
from buildings.models import User

from ..models import Demand
from ..workflow import Action, Status
from .base import Assignee
from .transitions import demand_transition

SYSTEM_USERNAME = "lousihui-router"


def system_actor() -> User:
    """The routing account (created on first use, never able to log in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name="一口式受理（自动分派）", is_active=True)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def route_new_demand(*, demand: Demand, assignee: Assignee, note: str = "", at: datetime | None = None) -> Demand:
    """Assigns a just-submitted demand by an intake rule (the workflow's own `assign`, with its event)."""
    if demand.status != Status.SUBMITTED:
        return demand
    actor = system_actor()
    scope = ActorScope(user_id=actor.pk, triage_building_ids=frozenset({demand.building_id}))
    return demand_transition(
        demand=demand, action=Action.ASSIGN, actor=actor, assignee=assignee, note=note, scope=scope, at=at
    )
