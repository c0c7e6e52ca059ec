"""The workflow's writes: every row of the table (`workflow.TRANSITIONS`) applied by one table-driven
compare-and-set (`_apply_transition`) plus its event; merge also moves the supports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from buildings.models import User
from buildings.text import long_text

from .. import access, workflow
from ..changes import DemandChange, DemandFacts, after_change
from ..models import Demand, DemandEvent, Support
from ..selectors import ActorScope, actor_scope, serving_members
from ..workflow import Action, Outcome, Status
from .base import Assignee, TransitionError, _actor_label, _now, _public_assignee_name, _stale, _status_list


def _validate_params(
    transition: workflow.Transition,
    demand: Demand,
    *,
    assignee: Assignee | None,
    outcome: str,
    note: str,
    into: Demand | None,
) -> None:
    """Checks each parameter the table says the action requires (one check per parameter)."""
    if "assignee" in transition.requires:
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
    if "outcome" in transition.requires and outcome not in Outcome.values:
        raise TransitionError(_("Choose an outcome to resolve the demand."), field="outcome")
    if "note" in transition.requires and not note:
        raise TransitionError(str(transition.missing_note), field="note")
    if "into" in transition.requires:
        if into is None:
            raise TransitionError(_("Choose the demand this one repeats."), field="into")
        if into.building_id != demand.building_id:
            raise TransitionError(
                _("A demand can only be merged into another demand of the same building."), field="into"
            )
        if into.pk == demand.pk or into.duplicate_of_id == demand.pk:
            raise TransitionError(_("A demand cannot be merged into itself."), field="into")


def _cleared(field_name: str) -> object:
    field = Demand._meta.get_field(field_name)
    return None if field.null else ""


@dataclass(frozen=True)
class _Applied:
    demand: Demand
    event: DemandEvent
    change: DemandChange


def _apply_transition(
    *,
    demand: Demand,
    action: str,
    actor: User | None,
    expected_version: int | None,
    assignee: Assignee | None,
    outcome: str,
    note: str,
    into: Demand | None,
    scope: ActorScope,
    now: datetime,
) -> _Applied:
    """The table-driven core of every transition: checks, then a compare-and-set plus its event.

    Returns what the after-change path needs; the public actions make the one after-change call.
    """
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    if not access.is_permitted(scope, demand, action):
        raise TransitionError(
            _("You may not %(action)s this demand.") % {"action": transition.action.label}, code="forbidden"
        )
    expected = demand.version if expected_version is None else expected_version
    if expected != demand.version:
        raise _stale()
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
    note = long_text(note)
    _validate_params(transition, demand, assignee=assignee, outcome=outcome, note=note, into=into)

    has_assignee = demand.assignee_member_id is not None or demand.assignee_department_id is not None
    target = transition.target_for(has_assignee=has_assignee or "assignee" in transition.requires)
    changes: dict[str, object] = {"status": target, "version": F("version") + 1, "updated_at": now}
    data: dict[str, object] = {}
    for name in transition.clears:
        changes[name] = _cleared(name)
    if transition.stamps and not (transition.stamp_first_only and getattr(demand, transition.stamps)):
        changes[transition.stamps] = now
    if "assignee" in transition.requires:
        assert assignee is not None
        changes["assignee_member"] = assignee.member
        changes["assignee_department"] = assignee.department
        data["assignee"] = _public_assignee_name(assignee)
        data["assignee_kind"] = "member" if assignee.member else "department"
    if "into" in transition.requires:
        assert into is not None
        changes["duplicate_of"] = into
        data["into"] = into.pk
        if not note:
            with override(settings.LANGUAGE_CODE):
                note = _("Merged into demand #%(id)s, which asks the same.") % {"id": into.pk}
    if transition.records_resolution:
        outcome = transition.fixed_outcome or outcome
        changes.update(outcome=outcome, resolution_note=note)
        data["outcome"] = outcome

    # Compare-and-set: only the version the actor saw, in the status it was in, may move.
    updated = Demand.objects.filter(pk=demand.pk, status=demand.status, version=expected).update(**changes)
    if updated != 1:
        raise _stale()
    event = DemandEvent.objects.create(
        demand=demand,
        kind=transition.event_kind,
        from_status=demand.status,
        to_status=target,
        actor=actor,
        actor_label=_actor_label(scope, demand),
        note=note,
        is_public=True,
        data=data,
        created_at=now,
    )
    facts = DemandFacts.of(demand)
    change = DemandChange(
        demand_id=demand.pk,
        building_id=demand.building_id,
        before=(demand.status, demand.outcome),
        after=(target, str(changes.get("outcome", ""))),
        events=(event,),
        fields=frozenset({"status"}),
        facts_before=facts,
        facts_after=replace(
            facts,
            status=target,
            outcome=str(changes.get("outcome", "")),
            assigned_at=changes.get("assigned_at", facts.assigned_at),  # type: ignore[arg-type]
            resolved_at=changes.get("resolved_at", facts.resolved_at),  # type: ignore[arg-type]
        ),
    )
    return _Applied(demand=demand, event=event, change=change)


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
    into: Demand | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Applies one row of the workflow table as a compare-and-set on (status, version) plus its event.

    `demand` is the version the actor saw; `expected_version` defaults to its version. Raises
    TransitionError (nothing written) when the action is unknown, forbidden, not allowed from the
    current status, missing a parameter, or when someone else changed the demand first. A merge
    (`into`) goes through `demand_merge`, which also moves the supports.
    """
    if action == Action.MERGE:
        if into is None:
            raise TransitionError(_("Choose the demand this one repeats."), field="into")
        return demand_merge(
            demand=demand, into=into, actor=actor, note=note, expected_version=expected_version, scope=scope, at=at
        )
    applied = _apply_transition(
        demand=demand,
        action=action,
        actor=actor,
        expected_version=expected_version,
        assignee=assignee,
        outcome=outcome,
        note=note,
        into=None,
        scope=scope or actor_scope(actor),
        now=_now(at),
    )
    after_change(applied.change)
    demand.refresh_from_db()
    return demand


@transaction.atomic
def demand_merge(
    *,
    demand: Demand,
    into: Demand,
    actor: User | None,
    note: str = "",
    expected_version: int | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """The table's `merge` row: resolves `demand` as a duplicate of `into` (same building), linking
    them and moving its supports. A person who supported both counts once. Compare-and-set on the
    duplicate's version."""
    scope = scope or actor_scope(actor)
    now = _now(at)
    applied = _apply_transition(
        demand=demand,
        action=Action.MERGE,
        actor=actor,
        expected_version=expected_version,
        assignee=None,
        outcome="",
        note=note,
        into=into,
        scope=scope,
        now=now,
    )
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
    into_event = DemandEvent.objects.create(
        demand=into,
        kind=DemandEvent.Kind.MERGED,
        actor=actor,
        actor_label=applied.event.actor_label,
        is_public=True,
        data={"from": demand.pk, "supports_moved": moved},
        created_at=now,
    )
    after_change(
        # The duplicate's submitter hears it was answered (its event); the target's supports moved.
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            before=applied.change.before,
            after=applied.change.after,
            events=applied.change.events,
            fields=frozenset({"status", "supports"}),
            facts_before=applied.change.facts_before,
            facts_after=applied.change.facts_after,
        ),
        DemandChange(
            demand_id=into.pk, building_id=into.building_id, events=(into_event,), fields=frozenset({"supports"})
        ),
    )
    demand.refresh_from_db()
    return demand
