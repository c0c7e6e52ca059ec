"""Which guide matters answer a category's demands: kept by superusers (categories are the district's)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from buildings.access import actor_scope

from .models import CategoryMatter


def _is_superuser(request: HttpRequest) -> bool:
    return actor_scope(request.user if request.user.is_active and request.user.is_staff else None).is_superuser


@admin.register(CategoryMatter)
class CategoryMatterAdmin(admin.ModelAdmin):
    list_display = ["category", "matter", "order"]
    list_filter = ["category"]
    list_select_related = ["category", "matter"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not _is_superuser(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
