"""The timeline as a list of its own (read-only), scoped like the demands."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .. import access, selectors
from ..models import DemandEvent


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "demand", "kind", "from_status", "to_status", "actor", "is_public"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["demand", "actor"]
    search_fields = ["note", "demand__title"]
    search_help_text = _("Note or demand title.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        scope = selectors.actor_scope(request.user)
        return super().get_queryset(request).filter(demand__in=access.demands_in_scope(scope))

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # Refused before the lookup: "not found" for some ids and "forbidden" for others would tell which exist.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
