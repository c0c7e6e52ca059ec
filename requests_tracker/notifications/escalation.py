"""The overdue ladder: captain, then economic captain, then the district staff; each step once."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from buildings.models import CouncilMember

from ..models import Demand, Escalation, Notification
from ..workflow import OPEN_STATUSES
from . import messages, outbox

#: The rungs, in order. ESCALATION_DELAYS_HOURS gives the wait before each (the first after the due time).
LEVELS: tuple[str, ...] = ("captain", "economic_captain", "district")


def step_offsets() -> list[timedelta]:
    """How long after the due time each step fires (the configured delays, accumulated)."""
    offsets, total = [], timedelta(0)
    for hours in settings.ESCALATION_DELAYS_HOURS[: len(LEVELS)]:
        total += timedelta(hours=hours)
        offsets.append(total)
    return offsets


def escalate_overdue(*, now: datetime | None = None) -> list[Escalation]:
    """Fires every ladder step that is due for an open overdue demand and has not fired yet, in order."""
    now = now or timezone.now()
    offsets = step_offsets()
    demands = list(
        Demand.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now - offsets[0])
        .select_related("building", "category", "assignee_member", "assignee_department")
        .order_by("due_at", "id")
    )
    fired: dict[int, set[int]] = defaultdict(set)
    for demand_id, step in Escalation.objects.filter(demand__in=[d.pk for d in demands]).values_list(
        "demand_id", "step"
    ):
        fired[demand_id].add(step)
    done: list[Escalation] = []
    for demand in demands:
        assert demand.due_at is not None
        for step, offset in enumerate(offsets):
            if demand.due_at + offset > now:
                break  # later steps wait for this one's time to pass
            if step in fired[demand.pk]:
                continue
            escalation = _fire(demand, step, now)
            if escalation is not None:
                done.append(escalation)
    return done


def _fire(demand: Demand, step: int, now: datetime) -> Escalation | None:
    level = LEVELS[step]
    try:
        with transaction.atomic():
            # The unique (demand, step) row is the "once": a second checker running at the same time
            # fails here and writes nothing.
            escalation = Escalation.objects.create(demand=demand, step=step, level=level, fired_at=now)
            compose = lambda: messages.escalation(demand, level=level, now=now)  # noqa: E731
            dedupe = f"escalation:{demand.pk}:{step}"
            if level == "captain":
                users = outbox.captains(demand)
                endpoints = outbox.council_webhooks(demand)
            elif level == "economic_captain":
                users, endpoints = outbox.captains(demand, [CouncilMember.Role.ECONOMIC_CAPTAIN]), []
            else:
                users, endpoints = outbox.district_staff(demand), []
            kind = Notification.Kind.ESCALATION
            rows = outbox._email_rows(users, compose, kind=kind, now=now, dedupe=dedupe, demand=demand)
            rows += outbox._webhook_rows(endpoints, compose, kind=kind, now=now, dedupe=dedupe, demand=demand)
            outbox.write(rows)
    except IntegrityError:
        return None
    return escalation
