"""Admin for categories and demands. Transitions go through the workflow table and the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from buildings.models import CouncilMember
from services.models import Department

from . import actions, selectors, workflow
from .models import Category, Demand, DemandEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "icon",
        "name",
        "name_en",
        "default_department",
        "target_days",
        "is_company_affair",
        "is_active",
    ]
    list_editable = ["target_days", "is_active"]
    list_filter = ["is_active", "is_company_affair", "default_department"]
    list_select_related = ["default_department"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["default_department"]


class TransitionForm(forms.Form):
    """One form for every action; the action itself says which fields it needs."""

    action = forms.ChoiceField(choices=workflow.Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee_member = forms.ModelChoiceField(
        queryset=CouncilMember.objects.none(), required=False, label=_("council member")
    )
    assignee_department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, label=_("department")
    )
    outcome = forms.ChoiceField(
        choices=[("", "---------"), *workflow.Outcome.choices], required=False, label=_("outcome")
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("note"))

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee_member"].queryset = CouncilMember.objects.filter(
            council__building_id=demand.building_id
        ).order_by("role", "display_name")


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "actor_label", "note", "is_public"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name_plural = _("timeline")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "building",
        "category",
        "status_chip",
        "assignee_display",
        "submitted_at",
        "overdue",
    ]
    list_display_links = ["id", "title"]
    list_filter = [
        "status",
        "outcome",
        "category",
        "building__subdistrict__district",
        "building",
        "is_public",
        "channel",
    ]
    list_select_related = ["building", "category", "assignee_member", "assignee_department"]
    search_fields = ["title", "description", "company_name", "=id"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["building", "category"]
    inlines = [DemandEventInline]
    change_form_template = "admin/requests_tracker/demand/change_form.html"
    readonly_fields = [
        "status",
        "version",
        "assignee_member",
        "assignee_department",
        "outcome",
        "resolution_note",
        "submitted_at",
        "due_at",
        "assigned_at",
        "started_at",
        "resolved_at",
        "updated_at",
        "channel",
        "submitted_by",
        "tracking_link",
    ]
    fieldsets = (
        (None, {"fields": ("building", "category", "title", "description", "floor", "company_name", "is_public")}),
        (
            _("Contact (private)"),
            {"fields": ("contact_name", "contact_phone", "contact_email", "channel", "submitted_by")},
        ),
        (
            _("Progress"),
            {
                "fields": (
                    "status",
                    "version",
                    "assignee_member",
                    "assignee_department",
                    "outcome",
                    "resolution_note",
                    "tracking_link",
                )
            },
        ),
        (_("Times"), {"fields": ("submitted_at", "due_at", "assigned_at", "started_at", "resolved_at", "updated_at")}),
    )

    # --- scope ---------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Demand]:
        return selectors.demands_in_scope(selectors.actor_scope(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and selectors.actor_scope(request.user).handles_demands

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Demand | None = None) -> bool:
        scope = selectors.actor_scope(request.user)
        if obj is None:
            return self.has_module_permission(request) and bool(scope.is_superuser or scope.triage_building_ids)
        return bool(workflow.roles_of(scope, obj) & {workflow.Role.TRIAGER, workflow.Role.SUPERUSER})

    def has_add_permission(self, request: HttpRequest) -> bool:
        scope = selectors.actor_scope(request.user)
        return request.user.is_staff and bool(scope.is_superuser or scope.triage_building_ids)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    # --- columns -------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_chip(self, obj: Demand) -> str:
        return format_html('<span class="status status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=_("assignee"))
    def assignee_display(self, obj: Demand) -> str:
        return str(obj.assignee or "—")

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Demand) -> bool:
        return obj.is_overdue(timezone.now())

    @admin.display(description=_("tracking page"))
    def tracking_link(self, obj: Demand) -> str:
        if not obj.pk:
            return "—"
        return format_html('<a href="{0}" target="_blank">{0}</a>', reverse("track", args=[obj.token]))

    # --- writes go through actions --------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Demand, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = actions.demand_submit(
            building=obj.building,
            category=obj.category,
            title=obj.title,
            description=obj.description,
            floor=obj.floor,
            company_name=obj.company_name,
            contact_name=obj.contact_name,
            contact_phone=obj.contact_phone,
            contact_email=obj.contact_email,
            is_public=obj.is_public,
            channel=Demand.Channel.STATION,
            submitted_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="requests_tracker_demand_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        demand = self.get_object(request, object_id)
        if demand is not None:
            scope = selectors.actor_scope(request.user)
            extra_context["transitions"] = [
                {
                    "transition": t,
                    "form": TransitionForm(
                        demand=demand, initial={"action": t.action, "version": demand.version}, prefix=t.action
                    ),
                }
                for t in workflow.allowed_actions(scope, demand)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        demand = get_object_or_404(self.get_queryset(request).select_related("building"), pk=object_id)
        change_url = reverse("admin:requests_tracker_demand_change", args=[demand.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        action = request.POST.get("action", "")
        form = TransitionForm(request.POST, demand=demand, prefix=action)
        if not form.is_valid():
            messages.error(
                request, _("The form was not filled in correctly: %(errors)s") % {"errors": form.errors.as_text()}
            )
            return HttpResponseRedirect(change_url)
        data = form.cleaned_data
        assignee = None
        if data.get("assignee_member") or data.get("assignee_department"):
            assignee = actions.Assignee(member=data.get("assignee_member"), department=data.get("assignee_department"))
        try:
            actions.demand_transition(
                demand=demand,
                action=data["action"],
                actor=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                assignee=assignee,
                outcome=data.get("outcome") or "",
                note=data.get("note") or "",
            )
        except (actions.TransitionError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
        else:
            messages.success(
                request,
                _("Done: %(action)s. The demand is now %(status)s.")
                % {
                    "action": workflow.TRANSITIONS[data["action"]].label,
                    "status": workflow.TRANSITIONS[data["action"]].target.label,
                },
            )
        return HttpResponseRedirect(change_url)


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "demand", "kind", "from_status", "to_status", "actor", "is_public"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["demand", "actor"]
    search_fields = ["note", "demand__title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        scope = selectors.actor_scope(request.user)
        return super().get_queryset(request).filter(demand__in=selectors.demands_in_scope(scope))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
