"""Admin for categories and demands. Transitions go through the workflow table and the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, CouncilMember
from services.models import Department

from . import actions, selectors, workflow
from .forms import check_floor
from .models import Category, Demand, DemandEvent
from .validators import normalize_mainland_mobile


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
    search_help_text = _("Code, Chinese or English name.")
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
    # Transition events are on the public timeline, so the note is said to be public where it is typed.
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("public note"),
        help_text=_("Shown to the resident on the tracking page."),
    )

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["assignee_member"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = CouncilMember.objects.filter(council__building_id=demand.building_id).order_by(
            "role", "display_name"
        )

    def error_message(self) -> str:
        """The errors in one line for the messages framework, fields named by their labels."""
        if "action" in self.errors or "version" in self.errors:
            return str(_("This form is out of date. Reload the page and try again."))
        return " ".join(
            f"{self.fields[name].label}: {' '.join(map(str, errors))}"
            if name in self.fields
            else " ".join(map(str, errors))
            for name, errors in self.errors.items()
        )


class DemandAdminForm(forms.ModelForm):
    """Checks on the form what `actions.demand_submit` would refuse, so the admin shows it on the field."""

    class Meta:
        model = Demand
        fields = [
            "building",
            "category",
            "title",
            "description",
            "floor",
            "company_name",
            "show_company",
            "is_public",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]

    def clean_contact_phone(self) -> str:
        return normalize_mainland_mobile(self.cleaned_data.get("contact_phone", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        building = cleaned.get("building") or (self.instance.building if self.instance.building_id else None)
        if building is not None and cleaned.get("floor") is not None:
            try:
                check_floor(building, cleaned["floor"])
            except ValidationError as exc:
                self.add_error("floor", exc)
        for name in ("building", "category"):
            value = cleaned.get(name)
            if name in self.changed_data and value is not None and not value.is_active:
                self.add_error(name, _("This one is no longer in use."))
        return cleaned


_TIMELINE_FIELDS = ("created_at", "kind", "from_status", "to_status", "actor", "actor_label", "note", "is_public")


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    extra = 0
    can_delete = False
    fields = _TIMELINE_FIELDS
    readonly_fields = _TIMELINE_FIELDS
    ordering = ["created_at", "id"]
    verbose_name_plural = _("timeline")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may open the demand (DemandAdmin decides) reads its whole timeline, internal notes included.
        return selectors.actor_scope(request.user).handles_demands

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        return super().get_queryset(request).select_related("actor")


#: Status colours in the changelist (the site's palette).
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


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    form = DemandAdminForm
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
    # Related filters offer only what occurs in the user's own demands, not every building in the city.
    list_filter = [
        "status",
        OverdueFilter,
        "outcome",
        "category",
        ("building__subdistrict__district", admin.RelatedOnlyFieldListFilter),
        ("building", admin.RelatedOnlyFieldListFilter),
        ("assignee_department", admin.RelatedOnlyFieldListFilter),
        "is_public",
        "channel",
    ]
    list_select_related = ["building", "category", "assignee_member", "assignee_department"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = ["title", "description", "company_name", "=id"]
    search_help_text = _("Title, description, company name, or the demand's number.")
    date_hierarchy = "submitted_at"
    inlines = [DemandEventInline]
    change_form_template = "admin/requests_tracker/demand/change_form.html"
    readonly_fields = [
        "status",
        "version",
        "support_count",
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
        (
            None,
            {
                "fields": (
                    "building",
                    "category",
                    "title",
                    "description",
                    "floor",
                    "company_name",
                    "show_company",
                    "is_public",
                    "support_count",
                )
            },
        ),
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

    # --- the form ------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Demand | None = None) -> Any:
        if obj is None:
            # A new demand has no progress yet, and the channel is set by the submission.
            return (
                self.fieldsets[0],
                (_("Contact (private)"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
            )
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Demand | None = None) -> Any:
        readonly = list(self.readonly_fields)
        if obj is not None and not request.user.is_superuser:
            # Moving a demand to another building hands it to another council: not an edit.
            readonly.append("building")
        return readonly

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        # The autocomplete needs view permission on buildings, which captains do not have;
        # they get a plain list of their own buildings instead.
        return ["building"] if request.user.is_superuser else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "building" and not request.user.is_superuser:
            scope = selectors.actor_scope(request.user)
            kwargs["queryset"] = Building.objects.filter(is_active=True, pk__in=scope.triage_building_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Demand | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if "category" in form.base_fields:
            # Active categories, plus the demand's own even if retired, so an old demand stays editable.
            current = Q(pk=obj.category_id) if obj is not None else Q(pk__in=[])
            category = form.base_fields["category"]
            assert isinstance(category, forms.ModelChoiceField)
            category.queryset = Category.objects.filter(Q(is_active=True) | current)
        return form

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
        colour = STATUS_COLOURS.get(obj.status, "#59636e")
        return format_html(
            '<span class="status status-{}" style="color:{};font-weight:600;white-space:nowrap">{}</span>',
            obj.status,
            colour,
            obj.get_status_display(),
        )

    @admin.display(description=_("assignee"))
    def assignee_display(self, obj: Demand) -> str:
        return str(obj.assignee or "—")

    @admin.display(description=_("due"), ordering="due_at")
    def overdue(self, obj: Demand) -> str:
        # Only the late ones stand out; a column of red crosses for every punctual demand would not.
        if obj.is_overdue(timezone.now()):
            return format_html('<strong style="color:#c8102e">{}</strong>', _("overdue"))
        return ""

    @admin.display(description=_("tracking page"))
    def tracking_link(self, obj: Demand) -> str:
        if not obj.pk:
            return "—"
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', reverse("track", args=[obj.token]))

    # --- writes go through actions --------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Demand, form: forms.ModelForm, change: bool) -> None:
        if change:
            # Only what was edited: a full save would write back the status, version and assignee
            # loaded with the form and undo a transition made meanwhile.
            if form.changed_data:
                obj.updated_at = timezone.now()
                obj.save(update_fields=[*form.changed_data, "updated_at"])
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
            show_company=obj.show_company,
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
                        demand=demand,
                        initial={
                            "action": t.action,
                            "version": demand.version,
                            "assignee_department": self._suggested_department(demand),
                        },
                        prefix=t.action,
                    ),
                }
                for t in workflow.allowed_actions(scope, demand)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _suggested_department(demand: Demand) -> int | None:
        """The department already on the demand, else the category's usual one."""
        if demand.assignee_department_id or demand.assignee_member_id:
            return demand.assignee_department_id
        return demand.category.default_department_id

    def transition_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        demand = get_object_or_404(self.get_queryset(request).select_related("building"), pk=object_id)
        change_url = reverse("admin:requests_tracker_demand_change", args=[demand.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        action = request.POST.get("action", "")
        form = TransitionForm(request.POST, demand=demand, prefix=action)
        if not form.is_valid():
            messages.error(request, form.error_message())
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
    search_help_text = _("Note or demand title.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandEvent]:
        scope = selectors.actor_scope(request.user)
        return super().get_queryset(request).filter(demand__in=selectors.demands_in_scope(scope))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from . import admin_notifications  # noqa: E402, F401  (the notification outbox's admin)
