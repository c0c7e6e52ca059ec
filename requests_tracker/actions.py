"""Writes: submitting demands and moving them through the workflow.

Views, the API, the admin, management commands and tasks all call these functions.
Each is atomic and ends in one `changes.after_change(...)` call: the demand, its timeline event and
what follows (tallies, screens, outbox rows) commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from buildings.models import Building, Company, CouncilMember, User
from buildings.photos import MAX_PHOTOS, CleanPhoto
from services.models import Department

from . import workflow
from .changes import DemandChange, after_change
from .models import Category, Demand, DemandEvent, DemandPhoto, DemandRevision, Support
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
    photos: Sequence[CleanPhoto] = (),
    submission_key: str | None = None,
    at: datetime | None = None,
    kind: str = Demand.Kind.DEMAND,  # #13: a question (你问我答) is filed through the same intake
) -> Demand:
    """Creates a demand in `submitted` with its first timeline event; validates before writing anything.

    `photos` are already cleaned (requests_tracker.photos); `submission_key` is unique: a second
    submission with the same key fails with IntegrityError (see `demand_submit_once`).
    """
    now = _now(at)
    company_name = company_name.strip()
    company = Company.objects.filter(building=building, name=company_name).first() if company_name else None
    demand = Demand(
        kind=kind,
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
        submission_key=submission_key or None,
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
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(count)s photos.") % {"count": MAX_PHOTOS}]})
    demand.full_clean(exclude=["token", "submission_key"])
    demand.save()
    for photo in photos:
        DemandPhoto.objects.create(demand=demand, image=photo.content, width=photo.width, height=photo.height)
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.SUBMITTED,
        to_status=Status.SUBMITTED,
        actor=demand.submitted_by,
        is_public=True,
        created_at=now,
    )
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            after=(Status.SUBMITTED, ""),
            events=(event,),
            fields=frozenset({"status"}),
        )
    )
    return demand


_EVENT_KIND = {
    Action.ASSIGN: DemandEvent.Kind.ASSIGNED,
    Action.START: DemandEvent.Kind.STARTED,
    Action.RESOLVE: DemandEvent.Kind.RESOLVED,
    Action.REOPEN: DemandEvent.Kind.REOPENED,
    Action.HAND_BACK: DemandEvent.Kind.HANDED_BACK,
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
    if transition.action == Action.HAND_BACK and not note:
        raise TransitionError(_("Say why the demand is handed back, so the council can route it."), field="note")


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
    elif transition.action == Action.HAND_BACK:
        # Back in the council's queue, unassigned; assigned_at keeps the first response time.
        changes.update(assignee_member=None, assignee_department=None, started_at=None)

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
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            before=(demand.status, demand.outcome),
            after=(transition.target, str(changes.get("outcome", ""))),
            events=(event,),
            fields=frozenset({"status"}),
        )
    )
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
    after_change(
        DemandChange(demand_id=demand.pk, building_id=demand.building_id, events=(event,), fields=frozenset({"note"}))
    )
    return event


def demand_submit_once(*, submission_key: str, **fields: Any) -> Demand:
    """`demand_submit`, but a repeat with the same key (a double tap) returns the first demand."""
    building = fields["building"]
    existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
    if existing is not None:
        return existing
    try:
        return demand_submit(submission_key=submission_key, **fields)
    except IntegrityError:
        # The other tap committed first (the unique key made this insert wait for it).
        existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def demand_support(*, demand: Demand, user: User | None = None, client_key: str = "") -> bool:
    """Adds one +1 (附议) from a signed-in user, else from a browser; False when they already had.

    The count on the demand moves in the same transaction as the Support row, so they never disagree.
    """
    if user is not None and user.is_authenticated:
        support = Support(demand=demand, user=user)
    elif client_key:
        support = Support(demand=demand, client_key=client_key)
    else:
        raise ValueError("a support needs a user or a browser key")
    try:
        with transaction.atomic():
            support.save()
    except IntegrityError:
        return False
    Demand.objects.filter(pk=demand.pk).update(support_count=F("support_count") + 1)
    demand.support_count += 1
    after_change(DemandChange(demand_id=demand.pk, building_id=demand.building_id, fields=frozenset({"supports"})))
    return True


NOT_SOLVED_REASON_MAX = 1000


@transaction.atomic
def demand_report_not_solved(*, demand: Demand, reason: str, at: datetime | None = None) -> DemandEvent:
    """The submitter (by token) says a resolved demand is not solved: once per resolution, with a reason.

    It writes a public `not_solved` event for the council to see; it does not reopen the demand —
    the captain does, through the workflow's `reopen`, when they agree.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is still not solved.")]})
    if len(reason) > NOT_SOLVED_REASON_MAX:
        raise ValidationError({"reason": [_("At most %(count)s characters.") % {"count": NOT_SOLVED_REASON_MAX}]})
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    if locked.status != Status.RESOLVED or locked.resolved_at is None:
        raise ValidationError({"reason": [_("Only a resolved demand can be reported as not solved.")]})
    if locked.events.filter(kind=DemandEvent.Kind.NOT_SOLVED, created_at__gte=locked.resolved_at).exists():
        raise ValidationError(
            {"reason": [_("You have already said this is not solved. The council will get back to you.")]}
        )
    now = _now(at)
    Demand.objects.filter(pk=demand.pk).update(updated_at=now)
    with override(settings.LANGUAGE_CODE):
        label = str(_("the submitter"))
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.NOT_SOLVED,
        actor=None,
        actor_label=label,
        note=reason,
        # Public on purpose: everyone following the case sees the answer was disputed (the reason is
        # written by the submitter, who already chose whether the demand is public).
        is_public=True,
        data={"outcome": locked.outcome, "resolved_at": locked.resolved_at.isoformat()},
        created_at=now,
    )
    after_change(
        DemandChange(demand_id=demand.pk, building_id=demand.building_id, events=(event,), fields=frozenset({"note"}))
    )
    return event


@transaction.atomic
def demand_follow_by_email(*, demand: Demand, email: str) -> Demand:
    """The submitter leaves (or changes) the e-mail address to be told of changes; it stays private."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    Demand.objects.filter(pk=demand.pk).update(contact_email=email)
    demand.contact_email = email
    after_change(DemandChange(demand_id=demand.pk, building_id=demand.building_id, fields=frozenset({"contact"})))
    return demand


def _stale() -> TransitionError:
    return TransitionError(
        _("This demand was changed by someone else since you opened it. Reload it and try again."), code="stale"
    )


def _require_triager(scope: ActorScope, demand: Demand, message: str) -> None:
    if not (scope.is_superuser or demand.building_id in scope.triage_building_ids):
        raise TransitionError(message, code="forbidden")


@transaction.atomic
def demand_merge(
    *,
    demand: Demand,
    into: Demand,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Resolves `demand` as a duplicate of `into` (same building), linking them and moving its supports.

    A person who supported both counts once. Compare-and-set on the duplicate's version.
    """
    scope = scope or actor_scope(actor)
    _require_triager(scope, demand, _("Only the building's council may merge its demands."))
    if into.building_id != demand.building_id:
        raise TransitionError(_("A demand can only be merged into another demand of the same building."), field="into")
    if into.pk == demand.pk or into.duplicate_of_id == demand.pk:
        raise TransitionError(_("A demand cannot be merged into itself."), field="into")
    if not demand.is_open:
        raise TransitionError(_("This demand is already resolved."), code="invalid_state")
    expected = demand.version if expected_version is None else expected_version
    now = _now(at)
    with override(settings.LANGUAGE_CODE):
        public_note = note.strip() or _("Merged into demand #%(id)s, which asks the same.") % {"id": into.pk}
    updated = Demand.objects.filter(pk=demand.pk, status=demand.status, version=expected).update(
        status=Status.RESOLVED,
        outcome=Outcome.DUPLICATE,
        resolution_note=public_note,
        duplicate_of=into,
        resolved_at=now,
        updated_at=now,
        version=F("version") + 1,
    )
    if updated != 1:
        raise _stale()
    # Supports move to the target unless that person already supports it (the unique constraints).
    target_users = set(into.supports.exclude(user=None).values_list("user_id", flat=True))
    target_keys = set(into.supports.exclude(client_key="").values_list("client_key", flat=True))
    moved = 0
    for support in demand.supports.all():
        if (support.user_id and support.user_id in target_users) or (
            support.client_key and support.client_key in target_keys
        ):
            continue
        Support.objects.filter(pk=support.pk).update(demand=into)
        moved += 1
        if support.user_id:
            target_users.add(support.user_id)
        if support.client_key:
            target_keys.add(support.client_key)
    # The duplicate's signed-in submitter wants the same thing: they support the target.
    if (
        demand.submitted_by_id
        and demand.submitted_by_id not in target_users
        and into.submitted_by_id != demand.submitted_by_id
    ):
        Support.objects.create(demand=into, user_id=demand.submitted_by_id)
        moved += 1
    Demand.objects.filter(pk=demand.pk).update(support_count=Support.objects.filter(demand=demand).count())
    Demand.objects.filter(pk=into.pk).update(support_count=Support.objects.filter(demand=into).count(), updated_at=now)
    label = _actor_label(scope, demand)
    merged_event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.MERGED,
        from_status=demand.status,
        to_status=Status.RESOLVED,
        actor=actor,
        actor_label=label,
        note=public_note,
        is_public=True,
        data={"into": into.pk, "outcome": Outcome.DUPLICATE},
        created_at=now,
    )
    into_event = DemandEvent.objects.create(
        demand=into,
        kind=DemandEvent.Kind.MERGED,
        actor=actor,
        actor_label=label,
        is_public=True,
        data={"from": demand.pk, "supports_moved": moved},
        created_at=now,
    )
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            before=(demand.status, demand.outcome),
            after=(Status.RESOLVED, Outcome.DUPLICATE),
            events=(merged_event,),  # the duplicate's submitter hears it was answered
            fields=frozenset({"status", "supports"}),
        ),
        DemandChange(
            demand_id=into.pk, building_id=into.building_id, events=(into_event,), fields=frozenset({"supports"})
        ),
    )
    demand.refresh_from_db()
    return demand


@transaction.atomic
def demand_moderate(
    *,
    demand: Demand,
    actor: User,
    reason: str,
    title: str | None = None,
    description: str | None = None,
    is_hidden: bool | None = None,
    expected_version: int | None = None,
    scope: ActorScope | None = None,
) -> Demand:
    """Edits the public title/description or hides the demand; keeps the original and the reason."""
    scope = scope or actor_scope(actor)
    _require_triager(scope, demand, _("Only the building's council may moderate its demands."))
    reason = reason.strip()
    if not reason:
        raise TransitionError(_("Say why the demand is edited or hidden."), field="reason")
    changes: dict[str, object] = {}
    if title is not None and title.strip() != demand.title:
        if not title.strip():
            raise TransitionError(_("Please give the demand a short title."), field="title")
        changes["title"] = title.strip()[:120]
    if description is not None and description.strip() != demand.description:
        changes["description"] = description.strip()
    if is_hidden is not None and is_hidden != demand.is_hidden:
        changes["is_hidden"] = is_hidden
    if not changes:
        raise TransitionError(_("Nothing was changed."), field="title")
    expected = demand.version if expected_version is None else expected_version
    now = timezone.now()
    updated = Demand.objects.filter(pk=demand.pk, version=expected).update(
        **changes, updated_at=now, version=F("version") + 1
    )
    if updated != 1:
        raise _stale()
    DemandRevision.objects.create(
        demand=demand,
        title=demand.title,
        description=demand.description,
        was_hidden=demand.is_hidden,
        reason=reason,
        actor=actor,
        created_at=now,
    )
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.MODERATED,
        actor=actor,
        actor_label=_actor_label(scope, demand),
        note=reason,
        is_public=False,
        data={"fields": sorted(changes)},
        created_at=now,
    )
    # A hidden or reworded demand must leave the screens now (the screens subscriber).
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            events=(event,),
            fields=frozenset({"visibility"} if "is_hidden" in changes else {"text"}),
        )
    )
    demand.refresh_from_db()
    return demand


@transaction.atomic
def demand_log(
    *,
    demand: Demand,
    kind: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    is_public: bool = True,
    data: dict[str, Any] | None = None,
    fields: frozenset[str] = frozenset({"link"}),
    at: datetime | None = None,
) -> DemandEvent:
    """Records something that happened to a demand without changing its status (a project took it
    up, a survey prompted it): one timeline event, `updated_at` moved, the after-change path run.

    For feature packages: they never write DemandEvent rows or touch a demand themselves.
    """
    if kind not in DemandEvent.Kind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    now = _now(at)
    Demand.objects.filter(pk=demand.pk).update(updated_at=now)
    event = DemandEvent.objects.create(
        demand=demand,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        note=note.strip(),
        is_public=is_public,
        data=data or {},
        created_at=now,
    )
    after_change(DemandChange(demand_id=demand.pk, building_id=demand.building_id, events=(event,), fields=fields))
    return event
