"""Who may read a hall request's answers: the service's department and superusers — never the public."""

from __future__ import annotations

from django.db.models import QuerySet

from buildings.access import ActorScope

from .models import HallRequest


def visible_requests(scope: ActorScope) -> QuerySet[HallRequest]:
    requests = HallRequest.objects.all()
    if scope.is_superuser:
        return requests
    return requests.filter(service__department_id__in=scope.department_ids)


def may_read_answers(scope: ActorScope) -> bool:
    return scope.is_superuser or bool(scope.department_ids)
