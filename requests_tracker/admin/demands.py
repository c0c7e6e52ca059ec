"""The demand admin: the list and the page, scoped by the access module."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path

from .. import access, actions, selectors
from ..models import Demand
from . import contacts
from .demand_list import DemandListAdmin
from .demand_page import DemandPageAdmin


@admin.register(Demand)
class DemandAdmin(DemandListAdmin, DemandPageAdmin):
    """The triage queue (captains), the work queue (departments) and the district's read-only view."""

    # --- scope ---------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Demand]:
        return access.demands_in_scope(selectors.actor_scope(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_use_admin(request.user, selectors.actor_scope(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Demand | None = None) -> bool:
        scope = selectors.actor_scope(request.user)
        if obj is None:
            return self.has_module_permission(request) and access.may_create_demands(scope)
        return access.may_edit(scope, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        scope = selectors.actor_scope(request.user)
        return request.user.is_staff and access.may_create_demands(scope)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.may_delete_demands(selectors.actor_scope(request.user))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # The timeline, photos, supports and links go with their demand (`actions.demand_delete`); that
        # nobody may delete a timeline event on its own must not stop the superuser deleting the demand.
        to_delete, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: Demand) -> None:
        # Through the action: the tallies, rollups, screens, statistics and search follow the deletion.
        actions.demand_delete(demand=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Demand]) -> None:
        for demand in queryset.order_by("pk"):
            actions.demand_delete(demand=demand, actor=request.user)  # type: ignore[arg-type]

    def contact_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """ "Show" on the masked contact details: logged, then shown for a few minutes (admin/contacts.py)."""
        return contacts.reveal_view(self, request, object_id)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="requests_tracker_demand_transition",
            ),
            path(
                "<int:object_id>/note/",
                self.admin_site.admin_view(self.note_view),
                name="requests_tracker_demand_note",
            ),
            path(
                "<int:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="requests_tracker_demand_merge",
            ),
            path(
                "<int:object_id>/contact/",
                self.admin_site.admin_view(self.contact_view),
                name="requests_tracker_demand_contact",
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="requests_tracker_demand_export",
            ),
            *super().get_urls(),
        ]
