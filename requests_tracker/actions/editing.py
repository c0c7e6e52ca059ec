"""The council's other writes on a demand: notes, moderation (keeping the original), edits (moving
buildings too), and `demand_log` for what feature packages record on a timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from buildings.models import Building, Company, User
from buildings.text import long_text, one_line

from .. import access
from ..changes import DemandChange, DemandFacts, after_change
from ..models import Demand, DemandEvent, DemandRevision
from ..selectors import ActorScope, actor_scope
from ..validators import check_floor
from .base import TransitionError, _actor_label, _now, _require_triager, _stale


@transaction.atomic
def demand_add_note(
    *, demand: Demand, actor: User, note: str, is_public: bool, scope: ActorScope | None = None
) -> DemandEvent:
    """Adds a public reply or an internal note to the timeline; no status change."""
    scope = scope or actor_scope(actor)
    if not access.may_add_note(scope, demand):
        raise TransitionError(_("You may not add notes to this demand."), code="forbidden")
    note = long_text(note)
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
    reason = long_text(reason)
    if not reason:
        raise TransitionError(_("Say why the demand is edited or hidden."), field="reason")
    changes: dict[str, object] = {}
    title = None if title is None else one_line(title)
    description = None if description is None else long_text(description)
    if title is not None and title != demand.title:
        if not title:
            raise TransitionError(_("Please give the demand a short title."), field="title")
        changes["title"] = title[:120]
    if description is not None and description != demand.description:
        changes["description"] = description
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
    # A backdated event (seeding, an import) never moves the demand's last activity backwards.
    Demand.objects.filter(pk=demand.pk).update(updated_at=Greatest(F("updated_at"), now))
    event = DemandEvent.objects.create(
        demand=demand,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        note=long_text(note),
        is_public=is_public,
        data=data or {},
        created_at=now,
    )
    after_change(DemandChange(demand_id=demand.pk, building_id=demand.building_id, events=(event,), fields=fields))
    return event


#: What the council may change on a demand besides its status (the admin's change form). The
#: public text and visibility are moderation (`demand_moderate`, which keeps the original).
EDITABLE_FIELDS = (
    "building",
    "category",
    "floor",
    "company_name",
    "show_company",
    "is_public",
    "contact_name",
    "contact_phone",
    "contact_email",
)


#: Fields whose change the resident sees on their tracking page: the edit is a public event.
_PUBLIC_EDIT_FIELDS = frozenset({"building", "category"})


@transaction.atomic
def demand_edit(
    *,
    demand: Demand,
    actor: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Edits what the change form may change, as a compare-and-set on the version the editor saw.

    Writes one `edited` timeline event naming the fields (public when the building or category
    changed; contact details never appear in it); a building move is for superusers only and moves
    the demand's tallies and both buildings' screens (the after-change path).
    """
    scope = scope or actor_scope(actor)
    _require_triager(scope, demand, _("Only the building's council may edit its demands."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TransitionError(
            _("These fields cannot be edited here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    values = {name: value for name, value in changes.items() if getattr(demand, name) != value}
    building: Building = values.get("building", demand.building)
    if "building" in values:
        if not access.may_move_building(scope):
            raise TransitionError(
                _("Only a superuser may move a demand to another building."), code="forbidden", field="building"
            )
        if demand.assignee_member_id is not None:
            raise TransitionError(
                _("The demand is assigned to a member of this building's council: hand it back before moving it."),
                field="building",
            )
    if "floor" in values or "building" in values:
        try:
            check_floor(building, values.get("floor", demand.floor))
        except ValidationError as exc:
            raise TransitionError(exc.messages[0], field="floor") from None
    if "category" in values and not values["category"].is_active and values["category"] != demand.category:
        raise TransitionError(_("This category is no longer in use."), field="category")
    for name in ("company_name", "contact_name", "contact_phone", "contact_email"):
        if name in values:
            values[name] = one_line(values[name])
    if "company_name" in values or "building" in values:
        name = values.get("company_name", demand.company_name)
        values["company"] = Company.objects.filter(building=building, name=name).first() if name else None
    if not values:
        return demand  # a form that re-sent what was there: nothing to record
    expected = demand.version if expected_version is None else expected_version
    now = _now(at)
    updated = Demand.objects.filter(pk=demand.pk, version=expected).update(
        **values, updated_at=now, version=F("version") + 1
    )
    if updated != 1:
        raise _stale()
    edited = sorted(name for name in values if name != "company")
    notes = []
    with override(settings.LANGUAGE_CODE):
        if "building" in values:
            notes.append(_("Moved from %(old)s to %(new)s.") % {"old": demand.building.name, "new": building.name})
        if "category" in values:
            notes.append(
                _("Category changed from %(old)s to %(new)s.")
                % {"old": demand.category.name, "new": values["category"].name}
            )
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.EDITED,
        actor=actor,
        actor_label=_actor_label(scope, demand),
        note=" ".join(notes),
        is_public=bool(_PUBLIC_EDIT_FIELDS & set(values)),
        data={
            "fields": edited,
            **({"from_building": demand.building_id, "to_building": building.pk} if "building" in values else {}),
        },
        created_at=now,
    )
    facts = DemandFacts.of(demand)
    category_id = values["category"].pk if "category" in values else facts.category_id
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=building.pk,
            moved_from=demand.building_id if "building" in values else None,
            before=(demand.status, demand.outcome),
            events=(event,),
            fields=frozenset(edited),
            facts_before=facts,
            facts_after=replace(facts, building_id=building.pk, category_id=category_id),
        )
    )
    demand.refresh_from_db()
    return demand
