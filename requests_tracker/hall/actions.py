"""Writes for the service hall: a request becomes a demand, its answers stored, routed to the department."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buildings.models import Building, User
from requests_tracker.actions import Assignee, demand_submit
from requests_tracker.actions.routing import route_new_demand
from requests_tracker.changes import DemandChange
from requests_tracker.models import Demand
from services.guide.definitions import validate_answers
from services.guide.models import HallService, ServiceField

from .models import HallRequest, ServiceCategory


@transaction.atomic
def hall_request_submit(
    *,
    service: HallService,
    building: Building,
    answers: dict[str, Any],
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    submitted_by: User | None = None,
    submission_key: str | None = None,
) -> Demand:
    """Checks the answers against the service's form, then files the demand, stores the answers and
    assigns it to the service's department through the workflow — all or nothing.

    Raises AnswersError keyed by field code, or ValidationError keyed by demand field; nothing is
    written then.
    """
    cleaned = validate_answers(service.fields.all(), answers)  # AnswersError, keyed by field code
    link = ServiceCategory.objects.filter(service=service).select_related("category").first()
    if not service.is_active or link is None or not service.department.is_active:
        raise ValidationError({"service": [_("This service does not take requests now.")]})
    demand = demand_submit(
        building=building,
        category=link.category,
        title=service.name[:120],
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        # A request is personal (a booking, a sign-up): on the tracking page, not the public board.
        is_public=False,
        channel=Demand.Channel.HALL,
        submitted_by=submitted_by,
        submission_key=submission_key,
    )
    HallRequest.objects.create(demand=demand, service=service, answers=cleaned)
    return route_new_demand(
        demand=demand,
        assignee=Assignee(department=service.department),
        note=_("Service hall: sent to the department that provides “%(service)s”.") % {"service": service.name},
    )


def hall_request_submit_once(*, submission_key: str, building: Building, **fields: Any) -> Demand:
    """`hall_request_submit`, but a second tap with the same key lands on the first request."""
    existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
    if existing is not None:
        return existing
    try:
        return hall_request_submit(submission_key=submission_key, building=building, **fields)
    except IntegrityError:
        existing = Demand.objects.filter(submission_key=submission_key, building=building).first()
        if existing is None:
            raise
        return existing


#: Answers that are free text may name or describe a person (a child's name, symptoms): erased with the
#: contact details. Choices, numbers and times stay (what was booked, for how many), for the figures.
_FREE_TEXT = (ServiceField.Datatype.STRING, ServiceField.Datatype.TEXT)


def hall_erase_answers(change: DemandChange) -> None:
    """After-change subscriber: when a demand's contact details are erased (retention, or the submitter),
    its hall request's free-text answers go too, in the same transaction."""
    if "contact_erased" not in change.fields:
        return
    request = HallRequest.objects.select_for_update().filter(demand_id=change.demand_id).first()
    if request is None:
        return
    free = set(request.service.fields.filter(datatype__in=_FREE_TEXT).values_list("code", flat=True))
    kept = {code: value for code, value in request.answers.items() if code not in free}
    if kept != request.answers:
        HallRequest.objects.filter(pk=request.pk).update(answers=kept)
