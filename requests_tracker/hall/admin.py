"""The department's view of the hall requests: the structured answers, read-only, in the form's order."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from buildings.access import actor_scope
from services.guide.definitions import display_answers

from . import access
from .models import HallRequest, ServiceCategory


def _scope(request: HttpRequest) -> Any:
    return actor_scope(request.user if request.user.is_active and request.user.is_staff else None)


@admin.register(HallRequest)
class HallRequestAdmin(admin.ModelAdmin):
    list_display = ["demand_link", "service", "building", "status", "created_at"]
    list_filter = ["service"]
    list_select_related = ["demand__building", "service"]
    fields = ["demand_link", "service", "building", "status", "answers_table", "created_at"]
    readonly_fields = fields  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[HallRequest]:
        return access.visible_requests(_scope(request)).select_related("demand__building", "service")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_read_answers(_scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not access.may_read_answers(_scope(request)):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests come from the hall's form, through the workflow

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # what the resident answered is a record

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting the demand deletes its answers

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("demand"))
    def demand_link(self, obj: HallRequest) -> str:
        url = reverse("admin:requests_tracker_demand_change", args=[obj.demand_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.demand_id, obj.demand.title)

    @admin.display(description=_("building"))
    def building(self, obj: HallRequest) -> str:
        return str(obj.demand.building)

    @admin.display(description=_("status"))
    def status(self, obj: HallRequest) -> str:
        return str(obj.demand.get_status_display())

    @admin.display(description=_("answers"))
    def answers_table(self, obj: HallRequest) -> str:
        rows = display_answers(obj.service.fields.all(), obj.answers)
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    """Superusers only: which category a service's requests are filed under."""

    list_display = ["service", "category"]
    list_select_related = ["service", "category"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _scope(request).is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request).is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _scope(request).is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request).is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request).is_superuser

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
