"""The demand list's filters: scoped choices, the queue (mine / open / recent), overdue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models import Demand


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Choices from the user's own demands, read once per request.

    With facets the admin builds its filters again for every facet count; without this cache each
    related filter would query its choices once per filter on the page.
    """

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        cache = request.__dict__.setdefault("_lousihui_filter_choices", {})
        if self.field_path not in cache:
            cache[self.field_path] = super().field_choices(field, request, model_admin)
        return cache[self.field_path]


class QueueFilter(admin.SimpleListFilter):
    """The queue opens on what still needs work; resolved ones are one click away."""

    title = _("queue")
    parameter_name = "queue"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        # Picking a status in the status filter shows that status, whatever the queue's default.
        self._status_picked = any(k.startswith("status") for k in params)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All"))]

    def value(self) -> str:
        return super().value() or ("all" if self._status_picked else "open")

    def queryset(self, request: HttpRequest, queryset: QuerySet[Demand]) -> QuerySet[Demand]:
        if self.value() == "open":
            return queryset.filter(status__in=workflow.OPEN_STATUSES)
        if self.value() == "resolved":
            return queryset.filter(status=workflow.Status.RESOLVED)
        return queryset

    def choices(self, changelist: Any) -> Any:
        # No "All" that means "no parameter": here no parameter means "open".
        for choice in super().choices(changelist):
            if choice["query_string"] != changelist.get_query_string(remove=[self.parameter_name]):
                yield choice


STATUS_COLOURS: dict[str, str] = {
    workflow.Status.SUBMITTED: "#c8102e",
    workflow.Status.ASSIGNED: "#9a6700",
    workflow.Status.IN_PROGRESS: "#0969da",
    workflow.Status.RESOLVED: "#1a7f37",
}


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Demand]) -> QuerySet[Demand]:
        overdue = Q(status__in=workflow.OPEN_STATUSES, due_at__lt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset
