"""The demand workflow: the one table of statuses, transitions and who may make them.

Everything that changes a demand's status (admin buttons, the API, the HTML pages,
management commands, tasks) goes through `requests_tracker.actions.demand_transition`,
which consults this table. Nothing else hard-codes a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from .models import Demand
    from .selectors import ActorScope


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")


#: The order the four steps are shown in (progress bars, timelines).
STEPS: tuple[Status, ...] = (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED)
OPEN_STATUSES: frozenset[str] = frozenset({Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS})


class Outcome(models.TextChoices):
    SOLVED = "solved", _("solved")
    PROPOSAL = "proposal", _("way forward proposed")
    DUPLICATE = "duplicate", _("duplicate")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class Action(models.TextChoices):
    ASSIGN = "assign", _("assign")
    START = "start", _("start work")
    RESOLVE = "resolve", _("resolve")
    REOPEN = "reopen", _("reopen")
    HAND_BACK = "hand_back", _("hand back")


class Role(models.TextChoices):
    """Who an actor is with respect to one demand."""

    TRIAGER = "triager", _("captain or triaging member of the building's council")
    ASSIGNEE = "assignee", _("the assignee (member or department staff)")
    SUPERUSER = "superuser", _("superuser")


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: Status
    roles: frozenset[Role]
    #: Parameters the action cannot go without (validated by the action).
    requires: tuple[str, ...]
    label: _StrPromise
    #: Name of the Demand timestamp field set when the transition happens.
    stamps: str | None = None


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            action=Action.ASSIGN,
            sources=frozenset({Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.ASSIGNED,
            roles=frozenset({Role.TRIAGER, Role.SUPERUSER}),
            requires=("assignee",),
            label=_("Assign"),
            stamps="assigned_at",
        ),
        Transition(
            action=Action.START,
            sources=frozenset({Status.ASSIGNED}),
            target=Status.IN_PROGRESS,
            roles=frozenset({Role.ASSIGNEE, Role.TRIAGER, Role.SUPERUSER}),
            requires=(),
            label=_("Start work"),
            stamps="started_at",
        ),
        Transition(
            action=Action.RESOLVE,
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.RESOLVED,
            roles=frozenset({Role.ASSIGNEE, Role.TRIAGER, Role.SUPERUSER}),
            requires=("outcome", "note"),
            label=_("Resolve"),
            stamps="resolved_at",
        ),
        Transition(
            action=Action.REOPEN,
            sources=frozenset({Status.RESOLVED}),
            target=Status.IN_PROGRESS,
            roles=frozenset({Role.TRIAGER, Role.SUPERUSER}),
            requires=("note",),
            label=_("Reopen"),
        ),
        # "Not ours": the assignee gives the demand back to the council, saying why (on the public timeline).
        Transition(
            action=Action.HAND_BACK,
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.SUBMITTED,
            roles=frozenset({Role.ASSIGNEE, Role.SUPERUSER}),
            requires=("note",),
            label=_("Hand back to the council"),
        ),
    )
}


def roles_of(scope: ActorScope, demand: Demand) -> frozenset[Role]:
    """The roles `scope`'s user holds on `demand` (no queries: the scope is preloaded)."""
    roles: set[Role] = set()
    if scope.is_superuser:
        roles.add(Role.SUPERUSER)
    if demand.building_id in scope.triage_building_ids:
        roles.add(Role.TRIAGER)
    if (demand.assignee_member_id is not None and demand.assignee_member_id in scope.member_ids) or (
        demand.assignee_department_id is not None and demand.assignee_department_id in scope.department_ids
    ):
        roles.add(Role.ASSIGNEE)
    return frozenset(roles)


def is_permitted(scope: ActorScope, demand: Demand, action: str) -> bool:
    """Whether the user may take `action` on `demand` as far as roles go (status aside)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.roles & roles_of(scope, demand))


def allowed_actions(scope: ActorScope, demand: Demand) -> list[Transition]:
    """The transitions this user may take on this demand now, in table order."""
    roles = roles_of(scope, demand)
    return [t for t in TRANSITIONS.values() if demand.status in t.sources and t.roles & roles]
