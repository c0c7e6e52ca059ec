"""The read-only history under a demand: its timeline and the moderated originals."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import access, selectors
from ..models import DemandEvent, DemandRevision

_TIMELINE_FIELDS = ("created_at", "kind", "from_status", "to_status", "actor", "actor_label", "note", "is_public")


class _HistoryInline(admin.TabularInline):
    """A record of what happened: shown to those who may open the demand, never added to or edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DemandEventInline(_HistoryInline):
    model = DemandEvent
    fields = _TIMELINE_FIELDS
    readonly_fields = _TIMELINE_FIELDS
    ordering = ["created_at", "id"]
    verbose_name_plural = _("timeline")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may open the demand (DemandAdmin decides) reads its whole timeline, internal notes included.
        return access.may_use_admin(request.user, selectors.actor_scope(request.user))

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        return super().get_queryset(request).select_related("actor")


class DemandRevisionInline(_HistoryInline):
    model = DemandRevision
    fields = ("created_at", "actor", "reason", "title", "description", "was_hidden")
    readonly_fields = fields
    verbose_name_plural = _("moderation: the originals")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Shown only where a moderator changed something: an empty table on every demand is noise.
        scope = selectors.actor_scope(request.user)
        return access.may_use_admin(request.user, scope) and obj is not None and obj.revisions.exists()
