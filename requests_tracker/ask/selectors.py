"""Reads for ask-and-answer (fixed query counts)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from requests_tracker.models import Demand
from requests_tracker.workflow import Status

from .actions import ANSWERED_OUTCOMES
from .models import QuestionVote


def answered_questions() -> QuerySet[Demand]:
    """Public answered questions, newest answer first, with their 有用/没用 counts (one query)."""
    return (
        Demand.objects.filter(
            kind=Demand.Kind.QUESTION,
            status=Status.RESOLVED,
            outcome__in=ANSWERED_OUTCOMES,
            is_public=True,
            is_hidden=False,
        )
        .select_related("building", "category", "assignee_department", "assignee_member")
        .annotate(
            helpful_count=Count("question_votes", filter=Q(question_votes__helpful=True)),
            unhelpful_count=Count("question_votes", filter=Q(question_votes__helpful=False)),
        )
        .order_by("-resolved_at", "-id")
    )


def votes_of(client_key: str, demand_ids: list[int]) -> dict[int, bool]:
    """What this browser voted on these questions (one query; none without a key)."""
    if not client_key or not demand_ids:
        return {}
    return dict(
        QuestionVote.objects.filter(client_key=client_key, demand_id__in=demand_ids).values_list("demand_id", "helpful")
    )
