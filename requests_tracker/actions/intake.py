"""Writes of the residents' side: submitting a demand (once per double tap), supporting it, saying it is
not solved, following it by e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from buildings.models import Building, Company, User
from buildings.photos import MAX_PHOTOS, CleanPhoto
from buildings.text import long_text, one_line

from ..changes import DemandChange, after_change
from ..models import Category, Demand, DemandEvent, DemandPhoto, Support
from ..validators import check_floor
from ..workflow import Status
from .base import _now


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
    kind: str = Demand.Kind.DEMAND,
) -> Demand:
    """Creates a demand in `submitted` with its first timeline event; validates before writing anything.

    `photos` are already cleaned (buildings.photos); `submission_key` is unique: a second
    submission with the same key fails with IntegrityError (see `demand_submit_once`).
    """
    now = _now(at)
    company_name = one_line(company_name)
    company = Company.objects.filter(building=building, name=company_name).first() if company_name else None
    demand = Demand(
        kind=kind,  # a question (你问我答) is filed through the same intake
        building=building,
        category=category,
        title=one_line(title),
        description=long_text(description),
        floor=floor,
        company=company,
        company_name=company_name,
        contact_name=one_line(contact_name),
        contact_phone=one_line(contact_phone),
        contact_email=one_line(contact_email),
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
    try:
        check_floor(building, floor)
    except ValidationError as exc:
        errors["floor"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(count)s photos.") % {"count": MAX_PHOTOS}]})
    # Field checks only (lengths, choices, validators). Not asked again: the foreign keys (building and
    # category were just loaded and checked above, the company was looked up by its building), the
    # unique keys and the two check constraints — the database enforces all of them, and asking it
    # first cost 8 round trips per submission (#15).
    demand.full_clean(
        exclude=["token", "submission_key", "building", "category", "company", "submitted_by"],
        validate_unique=False,
        validate_constraints=False,
    )
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
    reason = long_text(reason)
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
    email = one_line(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    Demand.objects.filter(pk=demand.pk).update(contact_email=email)
    demand.contact_email = email
    after_change(DemandChange(demand_id=demand.pk, building_id=demand.building_id, fields=frozenset({"contact"})))
    return demand
