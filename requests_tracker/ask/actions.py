"""Writes for ask-and-answer: a question in, routed; votes on answers; promoting an answer to the guide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buildings.access import serving_members
from buildings.models import Building, CouncilMember, User
from buildings.photos import CleanPhoto
from requests_tracker.actions import Assignee, demand_log, demand_submit
from requests_tracker.actions.routing import route_new_demand
from requests_tracker.models import Category, Demand, DemandEvent
from requests_tracker.workflow import Outcome, Status
from services.guide.actions import matter_create
from services.guide.models import Matter

from .models import PromotedAnswer, QuestionVote

ANSWERED_OUTCOMES = (Outcome.SOLVED, Outcome.PROPOSAL)


def _economic_captain(building: Building) -> CouncilMember | None:
    return (
        serving_members()
        .filter(council__building=building, role=CouncilMember.Role.ECONOMIC_CAPTAIN)
        .order_by("id")
        .first()
    )


@transaction.atomic
def question_ask(
    *,
    building: Building,
    category: Category,
    title: str,
    description: str = "",
    matter: Matter | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    is_public: bool = True,
    photos: Sequence[CleanPhoto] = (),
    submitted_by: User | None = None,
    submission_key: str | None = None,
    at: datetime | None = None,
) -> Demand:
    """Files a question (a demand of kind *question*) and routes it: to the matter's department when
    it is asked about a matter, else to the building's economic captain; with neither it waits in the
    captain's queue like any demand.
    """
    demand = demand_submit(
        building=building,
        category=category,
        title=title,
        description=description,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        is_public=is_public,
        photos=photos,
        submitted_by=submitted_by,
        submission_key=submission_key,
        kind=Demand.Kind.QUESTION,
        at=at,
    )
    # Routed a minute after it came in when backdated (the demo), so the timeline keeps its order.
    at = at + timedelta(minutes=1) if at is not None else None
    if matter is not None and matter.department.is_active:
        note = _("Question about “%(matter)s”: sent to the department that handles it.") % {"matter": matter.title}
        return route_new_demand(demand=demand, assignee=Assignee(department=matter.department), note=note, at=at)
    captain = _economic_captain(building)
    if captain is not None:
        return route_new_demand(
            demand=demand, assignee=Assignee(member=captain), note=_("Question: sent to the economic captain."), at=at
        )
    return demand


def question_ask_once(*, submission_key: str, building: Building, **fields: Any) -> Demand:
    existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
    if existing is not None:
        return existing
    try:
        return question_ask(submission_key=submission_key, building=building, **fields)
    except IntegrityError:
        existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def question_vote(*, demand: Demand, client_key: str, helpful: bool) -> bool:
    """Records 有用/没用 once per browser; False when this browser had already voted (nothing changes)."""
    if not client_key:
        raise ValueError("a vote needs a browser key")
    try:
        with transaction.atomic():
            QuestionVote.objects.create(demand=demand, client_key=client_key, helpful=helpful)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def answer_promote(*, demand: Demand, actor: User) -> Matter:
    """Files an answered question in the guide as a new matter of the answering department (once)."""
    if (
        demand.kind != Demand.Kind.QUESTION
        or demand.status != Status.RESOLVED
        or demand.outcome not in ANSWERED_OUTCOMES
    ):
        raise ValidationError(_("Only an answered question can be promoted to the guide."))
    if demand.assignee_department is None:
        raise ValidationError(_("Only a question answered by a department can become one of its matters."))
    if PromotedAnswer.objects.filter(demand=demand).exists():
        raise ValidationError(_("This answer is already in the guide."))
    matter = matter_create(
        department=demand.assignee_department,
        actor=actor,
        title=demand.title,
        audience=demand.description,
        steps=demand.resolution_note,
    )
    PromotedAnswer.objects.create(demand=demand, matter=matter)
    demand_log(
        demand=demand,
        kind=DemandEvent.Kind.NOTE,
        actor=actor,
        actor_label=str(demand.assignee_department),
        note=_("This answer is now part of the building service guide."),
        data={"matter_id": matter.pk},
    )
    return matter
