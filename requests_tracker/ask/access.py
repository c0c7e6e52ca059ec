"""Who may see questions in the admin and promote an answer to the guide."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buildings.access import ActorScope
from requests_tracker.models import Demand

from .models import Question


def admin_questions(scope: ActorScope) -> QuerySet[Question]:
    """Questions the user works on: the building's triagers, the assigned department or member, superusers."""
    questions = Question.objects.filter(kind=Demand.Kind.QUESTION)
    if scope.is_superuser:
        return questions
    return questions.filter(
        Q(building_id__in=scope.triage_building_ids)
        | Q(assignee_department_id__in=scope.department_ids)
        | Q(assignee_member_id__in=scope.member_ids)
    )


def may_use_question_admin(scope: ActorScope) -> bool:
    return scope.is_superuser or bool(scope.triage_building_ids or scope.department_ids or scope.member_ids)


def may_promote(scope: ActorScope, demand: Demand) -> bool:
    """The answering department (or a superuser) may file its answer in the guide."""
    return scope.is_superuser or (
        demand.assignee_department_id is not None and demand.assignee_department_id in scope.department_ids
    )
