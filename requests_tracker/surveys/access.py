"""Who may see and do what with a survey: asked by the admin, the API, the pages and the exports alike.

- A building's captains and triaging members (`scope.triage_building_ids`) manage its surveys.
- District staff manage the surveys of a sub-district or the whole district, and read (live results,
  moderation queue) every survey in their district, without changing a building's survey.
- Superusers do everything. Everyone else sees only what is public: open, closed and published surveys,
  and results when the survey's setting allows it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from buildings.access import ActorScope

from .models import Survey

PUBLIC_STATUSES = (Survey.Status.OPEN, Survey.Status.CLOSED, Survey.Status.PUBLISHED)


def is_staff_reader(scope: ActorScope) -> bool:
    return bool(scope.is_superuser or scope.triage_building_ids or scope.district_ids)


def readable_filter(scope: ActorScope) -> Q:
    """The surveys whose live results, texts and codes the user may read (not only the public ones)."""
    if scope.is_superuser:
        return Q(pk__isnull=False)  # not Q(): OR-ed with an empty Q, Django drops it
    return Q(building_id__in=scope.triage_building_ids) | Q(district_id__in=scope.district_ids)


def managed_filter(scope: ActorScope) -> Q:
    """The surveys the user may change: edit a draft, open, close, publish, make codes, moderate."""
    if scope.is_superuser:
        return Q(pk__isnull=False)
    return Q(building_id__in=scope.triage_building_ids) | Q(building__isnull=True, district_id__in=scope.district_ids)


def readable_surveys(scope: ActorScope) -> QuerySet[Survey]:
    if not is_staff_reader(scope):
        return Survey.objects.none()
    return Survey.objects.filter(readable_filter(scope))


def managed_surveys(scope: ActorScope) -> QuerySet[Survey]:
    if not is_staff_reader(scope):
        return Survey.objects.none()
    return Survey.objects.filter(managed_filter(scope))


def can_read(scope: ActorScope, survey: Survey) -> bool:
    if scope.is_superuser:
        return True
    return survey.building_id in scope.triage_building_ids or survey.district_id in scope.district_ids


def can_manage(scope: ActorScope, survey: Survey) -> bool:
    if scope.is_superuser:
        return True
    if survey.building_id is not None:
        return survey.building_id in scope.triage_building_ids
    return survey.district_id in scope.district_ids


def can_create(scope: ActorScope, *, building_id: int | None, district_id: int) -> bool:
    """A captain for their building; district staff for a sub-district or district of theirs."""
    if scope.is_superuser:
        return True
    if building_id is not None:
        return building_id in scope.triage_building_ids
    return district_id in scope.district_ids


def effective_status(survey: Survey, now: datetime | None = None) -> str:
    """An open survey whose `closes_at` has passed is closed, whether or not anyone clicked."""
    now = now or timezone.now()
    if survey.status == Survey.Status.OPEN and survey.closes_at is not None and now >= survey.closes_at:
        return Survey.Status.CLOSED
    return survey.status


def is_public(survey: Survey) -> bool:
    return survey.status in PUBLIC_STATUSES


def results_public(survey: Survey, now: datetime | None = None) -> bool:
    """Whether anyone at all may read the results now (the survey's own setting and state)."""
    status = effective_status(survey, now)
    if status == Survey.Status.PUBLISHED:
        return True
    if survey.results_visibility == Survey.Results.LIVE:
        return status in (Survey.Status.OPEN, Survey.Status.CLOSED)
    if survey.results_visibility == Survey.Results.AFTER_CLOSE:
        return status == Survey.Status.CLOSED
    return False


def can_see_results(scope: ActorScope, survey: Survey, now: datetime | None = None) -> bool:
    return can_read(scope, survey) or (is_public(survey) and results_public(survey, now))


def public_listing_filter() -> Q:
    """Open and published surveys: what the board, the screen and the public list show."""
    return Q(status__in=(Survey.Status.OPEN, Survey.Status.PUBLISHED))


def accepting(survey: Survey, now: datetime | None = None) -> bool:
    """Open, past `opens_at` and before `closes_at`: a response would be taken now."""
    now = now or timezone.now()
    return (
        survey.status == Survey.Status.OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )
