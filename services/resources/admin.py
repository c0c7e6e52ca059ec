"""The resource lists in the admin: captains keep their building's, department staff their department's.

Every permission is asked of `access` (the same rules as the API and the pages); Django's model
permissions are not used, so no group setup is needed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from buildings.access import actor_scope
from buildings.models import Building
from services.models import Department

from . import access
from .models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "provider_name", "building", "subdistrict", "floor", "status", "is_public"]
    list_filter = ["kind", "status", "provider_kind", "is_public"]
    search_fields = ["title", "provider_name", "description"]
    fields = [
        "title",
        "kind",
        "provider_kind",
        "provider_name",
        "department",
        "building",
        "subdistrict",
        "floor",
        "availability",
        "capacity",
        "description",
        "contact",
        "status",
        "is_public",
    ]

    def _scope(self, request: HttpRequest) -> access.ActorScope:
        if not (request.user.is_active and request.user.is_staff):
            return access.ActorScope()
        return actor_scope(request.user)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_read_any(self._scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = self._scope(request)
        if obj is None:
            return access.may_read_any(scope)
        return access.visible_resources(scope).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.may_maintain_any(self._scope(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = self._scope(request)
        if obj is None:
            return access.may_maintain_any(scope)
        return access.may_maintain(scope, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Captains withdraw a resource (status); deleting would break the projects that used it.
        return self._scope(request).is_superuser

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Resource]:
        return access.visible_resources(self._scope(request)).select_related("building", "subdistrict")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = self._scope(request)
        if not scope.is_superuser:
            # Only the places and providers the user may offer for (the choices list no other building).
            if db_field.name == "building":
                kwargs["queryset"] = Building.objects.filter(pk__in=scope.triage_building_ids)
            elif db_field.name == "department":
                kwargs["queryset"] = Department.objects.filter(pk__in=scope.department_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Resource, form: ModelForm, change: bool) -> None:
        scope = self._scope(request)
        if not access.may_offer_at(scope, building_id=obj.building_id, department_id=obj.department_id):
            raise PermissionDenied
        if obj.building_id is not None:
            obj.subdistrict_id = obj.building.subdistrict_id  # type: ignore[union-attr]
        now = timezone.now()
        if not change:
            obj.created_at = now
            obj.created_by = request.user  # type: ignore[assignment]
        obj.updated_at = now
        super().save_model(request, obj, form, change)
