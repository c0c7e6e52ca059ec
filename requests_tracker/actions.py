"""Writes: submitting demands and moving them through the workflow.

Views, the API, the admin, management commands and tasks all call these functions.
Each is atomic: the demand, its timeline event and its outbox rows (notifications.on_event) commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from buildings.models import Building, Company, CouncilMember, User
from services.models import Department

from . import notifications, workflow
from .models import Category, Demand, DemandEvent
from .selectors import ActorScope, actor_scope, serving_members
from .workflow import Action, Outcome, Status


class TransitionError(Exception):
    """A transition that cannot happen; `code` tells why, the message says it to a person."""

    #: "forbidden": the user may not; "invalid_state": not from this status;
    #: "stale": someone else changed the demand first; "invalid": a parameter is missing or wrong.
    code: str = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


@dataclass(frozen=True)
class Assignee:
    member: CouncilMember | None = None
    department: Department | None = None


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# Names written into the timeline are stored, and read by everyone: they are written in the site's
# language (Chinese), not in the language of whoever happened to make the change.


def _actor_label(scope: ActorScope, demand: Demand) -> str:
    """How the actor appears on the public timeline: a body, never a private person's name."""
    if not scope.is_authenticated:
        return ""
    with override(settings.LANGUAGE_CODE):
        if demand.building_id not in scope.triage_building_ids and (
            demand.assignee_department_id in scope.department_ids
        ):
            return str(demand.assignee_department)
        council = getattr(demand.building, "council", None)
        return str(council or demand.building)


def _status_list(statuses: frozenset[str]) -> str:
    """“已分派、办理中” in Chinese, “assigned or in progress” in English."""
    labels = [str(Status(s).label) for s in workflow.STEPS if s in statuses]
    if (get_language() or "").startswith("zh"):
        return "、".join(labels)
    return str(get_text_list(labels, _("or")))


def _public_assignee_name(assignee: Assignee) -> str:
    """How the assignee is named on the public timeline: a member off the public roster only by role."""
    with override(settings.LANGUAGE_CODE):
        if assignee.member is None:
            return str(assignee.department)
        if assignee.member.is_public:
            return str(assignee.member)
        return assignee.member.get_role_display()


@transaction.atomic
def demand_submit(
    *,
    building: Building,
    category: Category,
    title: str,
    description: str = "",
    floor: int | None = None,
    company_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    is_public: bool = True,
    show_company: bool = False,
    channel: str = Demand.Channel.WEB,
    submitted_by: User | None = None,
    at: datetime | None = None,
) -> Demand:
    """Creates a demand in `submitted` with its first timeline event; validates before writing anything."""
    now = _now(at)
    company_name = company_name.strip()
    company = Company.objects.filter(building=building, name=company_name).first() if company_name else None
    demand = Demand(
        building=building,
        category=category,
        title=title.strip(),
        description=description.strip(),
        floor=floor,
        company=company,
        company_name=company_name,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        is_public=is_public,
        show_company=show_company,
        channel=channel,
        submitted_by=submitted_by if submitted_by and submitted_by.is_authenticated else None,
        submitted_at=now,
        updated_at=now,
        due_at=now + timedelta(days=category.target_days),
    )
    errors: dict[str, list[str]] = {}
    if not demand.title:
        errors["title"] = [_("Please give the demand a short title.")]
    if not building.is_active:
        errors["building"] = [_("This building no longer takes demands.")]
    if not category.is_active:
        errors["category"] = [_("This category is no longer in use.")]
    if floor == 0:
        errors["floor"] = [_("There is no floor 0: the ground floor is 1, the first basement is -1.")]
    elif floor is not None and floor not in building.floor_range():
        errors["floor"] = [
            _("%(building)s has floors %(low)s to %(high)s.")
            % {"building": building.name, "low": -building.basement_floors or 1, "high": building.floors}
        ]
    if errors:
        raise ValidationError(errors)
    demand.full_clean(exclude=["token"])
    demand.save()
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.SUBMITTED,
        to_status=Status.SUBMITTED,
        actor=demand.submitted_by,
        is_public=True,
        created_at=now,
    )
    notifications.on_event(event)
    return demand


_EVENT_KIND = {
    Action.ASSIGN: DemandEvent.Kind.ASSIGNED,
    Action.START: DemandEvent.Kind.STARTED,
    Action.RESOLVE: DemandEvent.Kind.RESOLVED,
    Action.REOPEN: DemandEvent.Kind.REOPENED,
}


def _validate_params(
    transition: workflow.Transition,
    demand: Demand,
    *,
    assignee: Assignee | None,
    outcome: str,
    note: str,
) -> None:
    if transition.action == Action.ASSIGN:
        if assignee is None or (assignee.member is None) == (assignee.department is None):
            raise TransitionError(
                _("Choose one council member or one department to assign the demand to."), field="assignee"
            )
        if assignee.member is not None and assignee.member.council.building_id != demand.building_id:
            raise TransitionError(
                _("%(member)s is not on this building's council.") % {"member": assignee.member.display_name},
                field="assignee",
            )
        # A member out of office has no reach (see actor_scope): nobody could work on the demand.
        if assignee.member is not None and not serving_members().filter(pk=assignee.member.pk).exists():
            raise TransitionError(
                _("%(member)s is not serving on the council now.") % {"member": assignee.member.display_name},
                field="assignee",
            )
        if assignee.department is not None and not assignee.department.is_active:
            raise TransitionError(_("This department no longer takes demands."), field="assignee")
    if transition.action == Action.RESOLVE:
        if outcome not in Outcome.values:
            raise TransitionError(_("Choose an outcome to resolve the demand."), field="outcome")
        if not note:
            raise TransitionError(
                _("Write a public note for the resident: what was done, or the way forward."), field="note"
            )
    if transition.action == Action.REOPEN and not note:
        raise TransitionError(_("Say why the demand is reopened."), field="note")


@transaction.atomic
def demand_transition(
    *,
    demand: Demand,
    action: str,
    actor: User | None,
    expected_version: int | None = None,
    assignee: Assignee | None = None,
    outcome: str = "",
    note: str = "",
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Applies one workflow transition as a compare-and-set on (status, version) plus its event.

    `demand` is the version the actor saw; `expected_version` defaults to its version. Raises
    TransitionError (nothing written) when the action is unknown, forbidden, not allowed from the
    current status, missing a parameter, or when someone else changed the demand first.
    """
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    scope = scope or actor_scope(actor)
    if not workflow.is_permitted(scope, demand, action):
        raise TransitionError(
            _("You may not %(action)s this demand.") % {"action": transition.action.label}, code="forbidden"
        )
    expected = demand.version if expected_version is None else expected_version
    if expected != demand.version:
        raise TransitionError(
            _("This demand was changed by someone else since you opened it. Reload it and try again."),
            code="stale",
        )
    if demand.status not in transition.sources:
        raise TransitionError(
            _("This demand is %(status)s; “%(action)s” is possible only when it is %(sources)s.")
            % {
                "status": Status(demand.status).label,
                "action": transition.action.label,
                "sources": _status_list(transition.sources),
            },
            code="invalid_state",
        )
    note = note.strip()
    _validate_params(transition, demand, assignee=assignee, outcome=outcome, note=note)

    now = _now(at)
    changes: dict[str, object] = {
        "status": transition.target,
        "version": F("version") + 1,
        "updated_at": now,
    }
    data: dict[str, object] = {}
    if transition.action == Action.ASSIGN:
        assert assignee is not None
        changes["assignee_member"] = assignee.member
        changes["assignee_department"] = assignee.department
        if demand.assigned_at is None:
            changes["assigned_at"] = now  # first response time is measured to the first assignment
        data["assignee"] = _public_assignee_name(assignee)
        data["assignee_kind"] = "member" if assignee.member else "department"
    elif transition.action == Action.START:
        changes["started_at"] = now
    elif transition.action == Action.RESOLVE:
        changes.update(outcome=outcome, resolution_note=note, resolved_at=now)
        data["outcome"] = outcome
    elif transition.action == Action.REOPEN:
        # The old answer stays on the timeline (the resolve event's note), not on the open demand.
        changes.update(outcome="", resolution_note="", resolved_at=None)

    # Compare-and-set: only the version the actor saw, in the status it was in, may move.
    updated = Demand.objects.filter(pk=demand.pk, status=demand.status, version=expected).update(**changes)
    if updated != 1:
        raise TransitionError(
            _("This demand was changed by someone else since you opened it. Reload it and try again."),
            code="stale",
        )
    event = DemandEvent.objects.create(
        demand=demand,
        kind=_EVENT_KIND[transition.action],
        from_status=demand.status,
        to_status=transition.target,
        actor=actor,
        actor_label=_actor_label(scope, demand),
        note=note,
        is_public=True,
        data=data,
        created_at=now,
    )
    notifications.on_event(event)
    demand.refresh_from_db()
    return demand


@transaction.atomic
def demand_add_note(
    *, demand: Demand, actor: User, note: str, is_public: bool, scope: ActorScope | None = None
) -> DemandEvent:
    """Adds a public reply or an internal note to the timeline; no status change."""
    scope = scope or actor_scope(actor)
    roles = workflow.roles_of(scope, demand)
    if not roles:
        raise TransitionError(_("You may not add notes to this demand."), code="forbidden")
    note = note.strip()
    if not note:
        raise TransitionError(_("The note is empty."), field="note")
    now = timezone.now()
    Demand.objects.filter(pk=demand.pk).update(updated_at=now)
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.NOTE,
        actor=actor,
        actor_label=_actor_label(scope, demand),
        note=note,
        is_public=is_public,
        created_at=now,
    )
    notifications.on_event(event)
    return event
