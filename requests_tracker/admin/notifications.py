"""Admin for the notification outbox: failures are visible, with a “retry” action; robots are configured here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    ChannelOptOut,
    DeliveryAttempt,
    Escalation,
    Notification,
    WebhookEndpoint,
)
from ..notifications import delivery, outbox

STATUS_COLOURS: dict[str, str] = {
    Notification.Status.PENDING: "#9a6700",
    Notification.Status.SENDING: "#0969da",
    Notification.Status.SENT: "#1a7f37",
    Notification.Status.FAILED: "#c8102e",
}


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "ok", "error", "worker"]
    readonly_fields = ["number", "started_at", "finished_at", "ok", "error", "worker"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "kind",
        "channel",
        "destination_display",
        "status_chip",
        "attempts",
        "last_error_short",
    ]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["webhook"]
    search_fields = ["address", "subject", "last_error"]
    search_help_text = _("Address, subject or error.")
    date_hierarchy = "created_at"
    actions = ["retry"]
    inlines = [DeliveryAttemptInline]
    readonly_fields = [
        "kind",
        "channel",
        "status",
        "demand",
        "event",
        "recipient",
        "address",
        "webhook",
        "language",
        "subject",
        "body_text",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "created_at",
        "sent_at",
        "dedupe_key",
    ]
    exclude = ["body_html"]
    raw_id_fields = ["demand", "event", "recipient"]

    @admin.display(description=_("sent to"))
    def destination_display(self, obj: Notification) -> str:
        return obj.destination

    @admin.display(description=_("status"), ordering="status")
    def status_chip(self, obj: Notification) -> str:
        return format_html(
            '<strong style="color:{}">{}</strong>', STATUS_COLOURS.get(obj.status, "#59636e"), obj.get_status_display()
        )

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: Notification) -> str:
        return obj.last_error[:80]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Rows are read-only in the admin, but putting one back in line is a change.
        return request.user.has_perm("requests_tracker.change_notification")

    @admin.action(description=_("Retry the selected notifications now"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = list(
            queryset.filter(status__in=[Notification.Status.FAILED, Notification.Status.PENDING]).values_list(
                "pk", flat=True
            )
        )
        with transaction.atomic():
            count = delivery.retry_now(ids)
            transaction.on_commit(lambda: outbox.enqueue(ids))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d notification put back in line.", "%(count)d notifications put back in line.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("%(count)d were left alone: already sent or being sent.") % {"count": skipped},
                messages.WARNING,
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "council", "department", "language", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["council__building", "department"]
    search_fields = ["name", "council__building__name", "department__name"]
    autocomplete_fields = ["department"]
    raw_id_fields = ["council"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "kind", "url", "secret", "language", "is_active"]}),
        (
            _("Whose group"),
            {"fields": ["council", "department"], "description": _("One council or one department, not both.")},
        ),
    ]


@admin.register(ChannelOptOut)
class ChannelOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "created_at"]
    list_filter = ["channel"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["demand", "step", "level", "fired_at"]
    list_filter = ["level"]
    list_select_related = ["demand"]
