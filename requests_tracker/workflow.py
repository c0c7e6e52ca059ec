"""The demand workflow: the one table of statuses, transitions and who may make them.

Everything that changes a demand's status (admin buttons and bulk actions, the API, the HTML pages,
management commands, tasks, merges) goes through `requests_tracker.actions.demand_transition`, which
reads from this table what the action needs, which timestamp it sets, what it clears and which event
it writes. The admin's bulk actions are generated from the `bulk` column. Nothing else hard-codes a
transition: `grep -n "Transition(" requests_tracker/workflow.py` lists every way a status changes.
Who may take a row (roles of a user on a demand) is answered by `requests_tracker.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


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
    MERGE = "merge", _("merge")


class Role(models.TextChoices):
    """Who an actor is with respect to one demand."""

    TRIAGER = "triager", _("captain or triaging member of the building's council")
    ASSIGNEE = "assignee", _("the assignee (member or department staff)")
    SUPERUSER = "superuser", _("superuser")


@dataclass(frozen=True)
class BulkAction:
    """An admin bulk action generated from a row of the table (the admin's action name and label)."""

    name: str
    description: _StrPromise


@dataclass(frozen=True)
class Transition:
    """One row of the workflow table: everything the code needs to apply the action."""

    action: Action
    sources: frozenset[str]
    target: Status
    roles: frozenset[Role]
    #: Parameters the action cannot go without: "assignee", "outcome", "note", "into" (a demand to merge into).
    requires: tuple[str, ...]
    label: _StrPromise
    #: The DemandEvent kind the transition writes on the timeline.
    event_kind: str
    #: Name of the Demand timestamp field set when the transition happens...
    stamps: str | None = None
    #: ...only the first time (the first response time is measured to the first assignment).
    stamp_first_only: bool = False
    #: Fields reset by the transition (emptied, or None where the column allows it).
    clears: tuple[str, ...] = ()
    #: The resolution is recorded: `outcome` (from the parameter, or `fixed_outcome`) and the note.
    records_resolution: bool = False
    fixed_outcome: str = ""
    #: What to tell the person who left out the note (when "note" is required).
    missing_note: _StrPromise | None = None
    #: The admin bulk actions that apply this transition to the selected rows.
    bulk: tuple[BulkAction, ...] = ()
    #: Where a demand with no assignee goes instead of `target` (a demand resolved straight from triage,
    #: or merged before anyone took it, is reopened back to triage: "in progress" needs someone on it).
    target_unassigned: Status | None = None

    def target_for(self, *, has_assignee: bool) -> Status:
        """The status the demand moves to: `target`, or `target_unassigned` for a demand nobody holds."""
        return self.target if has_assignee or self.target_unassigned is None else self.target_unassigned

    @property
    def takes_a_target(self) -> bool:
        """Merge names another demand: it has its own form and endpoint, not the plain transition ones."""
        return "into" in self.requires


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
            event_kind="assigned",
            stamps="assigned_at",
            stamp_first_only=True,
            bulk=(
                BulkAction("assign_to_default_department", _("Assign to the category's usual department")),
                BulkAction("assign_to_chosen_department", _("Assign to the department chosen beside")),
            ),
        ),
        Transition(
            action=Action.START,
            sources=frozenset({Status.ASSIGNED}),
            target=Status.IN_PROGRESS,
            roles=frozenset({Role.ASSIGNEE, Role.TRIAGER, Role.SUPERUSER}),
            requires=(),
            label=_("Start work"),
            event_kind="started",
            stamps="started_at",
            bulk=(BulkAction("start_work", _("Start work")),),
        ),
        Transition(
            action=Action.RESOLVE,
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.RESOLVED,
            roles=frozenset({Role.ASSIGNEE, Role.TRIAGER, Role.SUPERUSER}),
            requires=("outcome", "note"),
            label=_("Resolve"),
            event_kind="resolved",
            stamps="resolved_at",
            records_resolution=True,
            missing_note=_("Write a public note for the resident: what was done, or the way forward."),
            bulk=(BulkAction("resolve_with_note", _("Resolve with the outcome and public note typed beside")),),
        ),
        Transition(
            action=Action.REOPEN,
            sources=frozenset({Status.RESOLVED}),
            target=Status.IN_PROGRESS,
            target_unassigned=Status.SUBMITTED,
            roles=frozenset({Role.TRIAGER, Role.SUPERUSER}),
            requires=("note",),
            label=_("Reopen"),
            event_kind="reopened",
            # The old answer stays on the timeline (the resolve event's note), not on the open demand.
            clears=("outcome", "resolution_note", "resolved_at"),
            missing_note=_("Say why the demand is reopened."),
            bulk=(BulkAction("reopen_with_note", _("Reopen, with the reason typed beside")),),
        ),
        # "Not ours": the assignee gives the demand back to the council, saying why (on the public timeline).
        Transition(
            action=Action.HAND_BACK,
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.SUBMITTED,
            roles=frozenset({Role.ASSIGNEE, Role.SUPERUSER}),
            requires=("note",),
            label=_("Hand back to the council"),
            event_kind="handed_back",
            # Back in the council's queue, unassigned; assigned_at keeps the first response time.
            clears=("assignee_member", "assignee_department", "started_at"),
            missing_note=_("Say why the demand is handed back, so the council can route it."),
            bulk=(BulkAction("hand_back_with_note", _("Hand back to the council, with the reason typed beside")),),
        ),
        # A duplicate: resolved as such, linked to the demand it repeats, its supports moved there.
        Transition(
            action=Action.MERGE,
            sources=frozenset({Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.RESOLVED,
            roles=frozenset({Role.TRIAGER, Role.SUPERUSER}),
            requires=("into",),
            label=_("Merge"),
            event_kind="merged",
            stamps="resolved_at",
            records_resolution=True,
            fixed_outcome=Outcome.DUPLICATE,
        ),
    )
}


def plain_transitions() -> list[Transition]:
    """The rows the transition endpoints and the demand page's buttons offer (merge has its own form)."""
    return [t for t in TRANSITIONS.values() if not t.takes_a_target]


def plain_action_choices() -> list[tuple[str, _StrPromise]]:
    """(value, label) of the plain transitions: the choices of the transition forms and endpoints."""
    return [(t.action.value, t.action.label) for t in plain_transitions()]
