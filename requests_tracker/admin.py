"""Admin for categories and demands. Transitions go through the workflow table and the actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings import exports
from buildings.models import Building, CouncilMember
from services.models import Department

from . import access, actions, selectors, workflow
from .models import Category, Demand, DemandEvent, DemandRevision, ResponseTemplate
from .validators import check_floor, normalize_mainland_mobile


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

    action = forms.ChoiceField(choices=workflow.plain_action_choices, widget=forms.HiddenInput)
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
            "is_hidden",
        ]

    #: The version the editor saw: an edit on top of someone else's change is refused, never merged silently.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    moderation_reason = forms.CharField(
        label=_("reason for the edit"),
        max_length=300,
        required=False,
        help_text=_("Needed when you change the public title or description or hide the demand; the original is kept."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

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
        if self.instance.pk:
            seen = cleaned.get("seen_version")
            if seen is not None and seen != self.instance.version:
                raise ValidationError(
                    _(
                        "This demand was changed by someone else since you opened it (now version %(version)s). "
                        "Nothing was saved: check its current state below and make your edit again."
                    )
                    % {"version": self.instance.version}
                )
            if set(MODERATED_FIELDS) & set(self.changed_data) and not cleaned.get("moderation_reason", "").strip():
                self.add_error("moderation_reason", _("Say why the public text or visibility is changed."))
        return cleaned


#: Edits to these are moderation: they go through `actions.demand_moderate`, which keeps the original.
MODERATED_FIELDS = ("title", "description", "is_hidden")


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


class DemandActionForm(ActionForm):
    """The list's action bar: what the bulk actions need besides the rows."""

    assignee_department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, label=_("department")
    )
    outcome = forms.ChoiceField(
        choices=[("", _("outcome")), *workflow.Outcome.choices], required=False, label=_("outcome")
    )
    note = forms.CharField(required=False, label=_("note"), max_length=4000)


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("text"), max_length=4000)
    is_public = forms.TypedChoiceField(
        choices=[("1", _("Public reply (shown to the resident)")), ("0", _("Internal note (council and handlers)"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        label=_("who sees it"),
    )


class MergeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    into = forms.ModelChoiceField(queryset=Demand.objects.none(), label=_("the demand it duplicates"))
    note = forms.CharField(
        required=False,
        label=_("public note"),
        max_length=4000,
        help_text=_("Optional; by default: “Merged into demand #N, which asks the same.”"),
    )

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into = self.fields["into"]
        assert isinstance(into, forms.ModelChoiceField)
        # Open demands and those resolved in the last 90 days: a select, not the building's whole history.
        recent = timezone.now() - timedelta(days=90)
        into.queryset = (
            Demand.objects.filter(building_id=demand.building_id, duplicate_of__isnull=True)
            .filter(Q(status__in=workflow.OPEN_STATUSES) | Q(resolved_at__gte=recent))
            .exclude(pk=demand.pk)
            .order_by("-submitted_at")
        )


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


class DemandListEditForm(forms.ModelForm):
    """A row edited in the list: refused if the row changed since the list was shown."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            raw = self.data.get(f"_version_{self.instance.pk}", "")
            if not raw.isdigit() or int(raw) != self.instance.version:
                raise ValidationError(
                    _(
                        "Demand #%(id)s was changed by someone else since you saw it; nothing was saved. "
                        "It is now %(status)s, as shown in this row."
                    )
                    % {"id": self.instance.pk, "status": self.instance.get_status_display()}
                )
        return cleaned or {}


def _seen_version(request: HttpRequest, demand: Demand) -> int | None:
    """The version the user saw in the list (a hidden input per row), or None if the row was not shown."""
    raw = request.POST.get(f"_version_{demand.pk}", "")
    return int(raw) if raw.isdigit() else None


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """The triage queue (captains), the work queue (departments) and the district's read-only view."""

    form = DemandAdminForm
    action_form = DemandActionForm
    list_display = [
        "id",
        "title",
        "building",
        "category",
        "status_chip",
        "assignee_display",
        "support_count",
        "age",
        "overdue",
    ]
    list_display_links = ["id", "title"]
    # Related filters offer only what occurs in the user's own demands, not every building in the city.
    list_filter = [
        QueueFilter,
        "status",
        OverdueFilter,
        "outcome",
        ("category", ScopedRelatedFilter),
        ("building__subdistrict__district", ScopedRelatedFilter),
        ("building", ScopedRelatedFilter),
        ("assignee_department", ScopedRelatedFilter),
        "is_public",
        "is_hidden",
        "channel",
    ]
    list_select_related = ["building", "category", "assignee_member", "assignee_department"]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.ALWAYS
    # Oldest first: the demand that has waited longest is the first one to look at.
    ordering = ["submitted_at", "id"]
    search_fields = ["title", "description", "company_name", "=id"]
    search_help_text = _("Title, description, company name, or the demand's number.")
    date_hierarchy = "submitted_at"
    inlines = [DemandEventInline, DemandRevisionInline]
    change_form_template = "admin/requests_tracker/demand/change_form.html"
    change_list_template = "admin/requests_tracker/demand/change_list.html"
    # The bulk actions are generated from the workflow table's `bulk` column (below the class).
    actions = [*(b.name for t in workflow.TRANSITIONS.values() for b in t.bulk), "export_selected_csv"]
    readonly_fields = [
        "status",
        "version",
        "support_count",
        "assignee_member",
        "assignee_department",
        "outcome",
        "duplicate_of",
        "resolution_note",
        "submitted_at",
        "due_at",
        "assigned_at",
        "first_response",
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
            _("Moderation"),
            {"fields": ("is_hidden", "moderation_reason", "seen_version")},
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
                    "duplicate_of",
                    "resolution_note",
                    "tracking_link",
                )
            },
        ),
        (
            _("Times"),
            {
                "fields": (
                    "submitted_at",
                    "due_at",
                    "assigned_at",
                    "first_response",
                    "started_at",
                    "resolved_at",
                    "updated_at",
                )
            },
        ),
    )

    # --- the form ------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Demand | None = None) -> Any:
        if obj is None:
            # A new demand has no progress yet, and the channel is set by the submission.
            return (
                self.fieldsets[0],
                (_("Contact (private)"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
            )
        if not self.has_change_permission(request, obj):
            # Read-only readers (departments, district staff) have no edit to explain.
            return tuple(
                (name, {"fields": tuple(f for f in opts["fields"] if f not in ("moderation_reason", "seen_version"))})
                for name, opts in self.fieldsets
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

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Only the bulk actions the workflow table could let this user take somewhere."""
        found = super().get_actions(request)
        roles = access.roles_anywhere(selectors.actor_scope(request.user))
        for name, action in list(found.items()):
            needed = getattr(action[0], "workflow_action", None) if action else None
            if needed is not None and not (workflow.TRANSITIONS[needed].roles & roles):
                del found[name]
        return found

    # --- columns -------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_chip(self, obj: Demand) -> str:
        colour = STATUS_COLOURS.get(obj.status, "#59636e")
        # The version shown travels with bulk actions and list edits: they apply to what was seen or not at all.
        return format_html(
            '<span class="status status-{}" style="color:{};font-weight:600;white-space:nowrap">{}</span>'
            '<input type="hidden" name="_version_{}" value="{}">',
            obj.status,
            colour,
            obj.get_status_display(),
            obj.pk,
            obj.version,
        )

    @admin.display(description=_("assignee"))
    def assignee_display(self, obj: Demand) -> str:
        return str(obj.assignee or "—")

    @admin.display(description=_("age"), ordering="submitted_at")
    def age(self, obj: Demand) -> str:
        return timesince(obj.submitted_at, obj.resolved_at or timezone.now(), depth=1)

    @admin.display(description=_("due"), ordering="due_at")
    def overdue(self, obj: Demand) -> str:
        # Only the late ones stand out; a column of red crosses for every punctual demand would not.
        if obj.is_overdue(timezone.now()):
            return format_html('<strong class="overdue" style="color:#c8102e">{}</strong>', _("overdue"))
        return ""

    @admin.display(description=_("first response"))
    def first_response(self, obj: Demand) -> str:
        if obj.assigned_at is None:
            return "—"
        return timesince(obj.submitted_at, obj.assigned_at, depth=2)

    @admin.display(description=_("tracking page"))
    def tracking_link(self, obj: Demand) -> str:
        if not obj.pk:
            return "—"
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', reverse("track", args=[obj.token]))

    # --- bulk actions: each row goes through the same action, on the version shown --------

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Demand], action: str, **params: Any) -> None:
        scope = selectors.actor_scope(request.user)
        across = request.POST.get("select_across") == "1"
        done, failed = 0, []
        for demand in queryset.select_related("building__council", "assignee_department", "category"):
            seen = _seen_version(request, demand)
            if seen is None and not across:
                failed.append(f"#{demand.pk}: {gettext('This form is out of date. Reload the page and try again.')}")
                continue
            bound = dict(params)
            if callable(bound.get("assignee")):
                bound["assignee"] = bound["assignee"](demand)
            try:
                actions.demand_transition(
                    demand=demand,
                    action=action,
                    actor=request.user,  # type: ignore[arg-type]
                    expected_version=seen if seen is not None else demand.version,
                    scope=scope,
                    **bound,
                )
            except (actions.TransitionError, ValidationError) as exc:
                failed.append(f"#{demand.pk}: {getattr(exc, 'message', exc)}")
            else:
                done += 1
        label = workflow.TRANSITIONS[action].label
        if done:
            self.message_user(
                request,
                gettext("%(action)s: done for %(count)s demand(s).") % {"action": label, "count": done},
                messages.SUCCESS,
            )
        for line in failed:
            self.message_user(
                request, gettext("%(action)s not done for %(line)s") % {"action": label, "line": line}, messages.ERROR
            )

    def _form_value(self, request: HttpRequest, name: str) -> Any:
        form = DemandActionForm(request.POST)
        form.is_valid()
        return form.cleaned_data.get(name)

    def _bulk_params(self, request: HttpRequest, transition: workflow.Transition, name: str) -> dict[str, Any] | None:
        """The parameters the table says the transition requires, from the form beside the list."""
        params: dict[str, Any] = {}
        if "assignee" in transition.requires:
            assignee = ASSIGNEE_SOURCES[name](self, request)
            if assignee is None:
                self.message_user(request, gettext("Choose a department first."), messages.ERROR)
                return None
            params["assignee"] = assignee
        if "outcome" in transition.requires:
            params["outcome"] = self._form_value(request, "outcome") or ""
        if "note" in transition.requires:
            params["note"] = self._form_value(request, "note") or ""
        return params

    @admin.action(description=_("Export the selected demands (CSV)"))
    def export_selected_csv(self, request: HttpRequest, queryset: QuerySet[Demand]) -> HttpResponse:
        return self._export(queryset, "csv")

    # --- exports of the current list ---------------------------------------------------

    EXPORT_HEADERS = (
        _("number"),
        _("building"),
        _("category"),
        _("title"),
        _("status"),
        _("assignee"),
        _("supports"),
        _("submitted at"),
        _("due at"),
        _("first assigned at"),
        _("resolved at"),
        _("outcome"),
        _("company name"),
    )

    def _export(self, queryset: QuerySet[Demand], fmt: str) -> HttpResponse:
        rows = (
            (
                d.pk,
                d.building.name,
                d.category.name,
                d.title,
                d.get_status_display(),
                str(d.assignee or ""),
                d.support_count,
                d.submitted_at,
                d.due_at,
                d.assigned_at,
                d.resolved_at,
                d.get_outcome_display(),
                d.company_name,
            )
            for d in queryset.select_related(*self.list_select_related)
        )
        headers = [str(h) for h in self.EXPORT_HEADERS]
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            return exports.xlsx_response(f"demands-{stamp}.xlsx", headers, rows, sheet_title=gettext("demands"))
        return exports.csv_response(f"demands-{stamp}.csv", headers, rows)

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """The list as it is filtered, searched and sorted now, every page of it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except admin.options.IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:requests_tracker_demand_changelist"))
        return self._export(changelist.queryset, fmt)

    # --- list edits: compare-and-set on the version shown ----------------------------------

    list_editable = ["category"]

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        base = super().get_changelist_formset(request, **kwargs)
        self_admin = self
        shared: dict[str, list[Any]] = {}

        class SharedChoicesFormSet(base):  # type: ignore[valid-type,misc]
            """Every row's category list is the same: read it once, not once per row."""

            def _construct_form(self, i: int, **kw: Any) -> Any:
                form = super()._construct_form(i, **kw)
                for name, field in form.fields.items():
                    if name in self_admin.list_editable and isinstance(field, forms.ModelChoiceField):
                        if name not in shared:
                            shared[name] = list(field.choices)  # type: ignore[arg-type]
                        field.choices = shared[name]
                return form

        return SharedChoicesFormSet

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", DemandListEditForm)
        return super().get_changelist_form(request, **kwargs)

    # --- writes go through actions --------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Demand, form: forms.ModelForm, change: bool) -> None:
        if change:
            self._save_edit(request, obj, form)
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

    @transaction.atomic
    def _save_edit(self, request: HttpRequest, obj: Demand, form: forms.ModelForm) -> None:
        """Only what was edited, and only on the version the editor saw (a compare-and-set).

        A full save would write back the status, version and assignee loaded with the form and undo a
        transition made meanwhile; an edit on a version someone else changed is refused with a message.
        """
        if not self.has_change_permission(request, obj):
            request._demand_edit_refused = True  # type: ignore[attr-defined]
            messages.error(request, gettext("You may not edit demand #%(id)s.") % {"id": obj.pk})
            return
        seen = form.cleaned_data.get("seen_version") if "seen_version" in form.fields else _seen_version(request, obj)
        if seen is None:
            seen = obj.version
        changed = [name for name in form.changed_data if name not in ("seen_version", "moderation_reason")]
        plain = [name for name in changed if name not in MODERATED_FIELDS]
        moderated = [name for name in changed if name in MODERATED_FIELDS]
        if not changed:
            return
        plain_values = {name: getattr(obj, name) for name in plain}
        try:
            # Both are compare-and-sets on the version the editor saw; moderation keeps the original
            # text the database still holds, the edit writes its own timeline event.
            if moderated:
                original = Demand.objects.select_related("building__council").get(pk=obj.pk)
                actions.demand_moderate(
                    demand=original,
                    actor=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data.get("moderation_reason", ""),
                    title=obj.title if "title" in moderated else None,
                    description=obj.description if "description" in moderated else None,
                    is_hidden=obj.is_hidden if "is_hidden" in moderated else None,
                    expected_version=seen,
                )
                seen += 1
            if plain_values:
                actions.demand_edit(
                    demand=Demand.objects.select_related("building__council", "category").get(pk=obj.pk),
                    actor=request.user,  # type: ignore[arg-type]
                    changes=plain_values,
                    expected_version=seen,
                )
        except actions.TransitionError as exc:
            current = Demand.objects.get(pk=obj.pk)
            request._demand_edit_refused = True  # type: ignore[attr-defined]
            if exc.code == "stale":
                message = gettext(
                    "Demand #%(id)s was changed by someone else since you saw it; your edit was not saved. "
                    "It is now %(status)s (version %(version)s)."
                ) % {"id": obj.pk, "status": current.get_status_display(), "version": current.version}
            else:
                message = exc.message
            messages.error(request, message)
        obj.refresh_from_db()

    def message_user(
        self, request: HttpRequest, message: Any, level: int | str = messages.INFO, *args: Any, **kw: Any
    ) -> None:
        # A refused edit must not also be reported as "changed successfully".
        if getattr(request, "_demand_edit_refused", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kw)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_demand_edit_refused", False):
            return None
        return super().log_change(request, obj, message)

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
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="requests_tracker_demand_export",
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
                for t in access.allowed_actions(scope, demand)
            ]
            if access.may_add_note(scope, demand):
                extra_context["note_form"] = NoteForm()
                extra_context["response_templates"] = list(
                    ResponseTemplate.objects.filter(is_active=True)
                    .filter(Q(category_id=demand.category_id) | Q(category__isnull=True))
                    .order_by("title")
                )
            if access.can_take(scope, demand, workflow.Action.MERGE):
                extra_context["merge_form"] = MergeForm(demand=demand, initial={"version": demand.version})
            if demand.duplicate_of_id:
                extra_context["duplicate_of"] = demand.duplicate_of
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _suggested_department(demand: Demand) -> int | None:
        """The department already on the demand, else the category's usual one."""
        if demand.assignee_department_id or demand.assignee_member_id:
            return demand.assignee_department_id
        return demand.category.default_department_id

    def _scoped_demand(self, request: HttpRequest, object_id: int) -> Demand:
        return get_object_or_404(self.get_queryset(request).select_related("building__council"), pk=object_id)

    def transition_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        demand = self._scoped_demand(request, object_id)
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

    def note_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """A public reply or an internal note on the timeline."""
        demand = self._scoped_demand(request, object_id)
        change_url = reverse("admin:requests_tracker_demand_change", args=[demand.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Write the text of the reply or note."))
            return HttpResponseRedirect(change_url)
        try:
            actions.demand_add_note(
                demand=demand,
                actor=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
                is_public=form.cleaned_data["is_public"],
            )
        except actions.TransitionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("Public reply added.") if form.cleaned_data["is_public"] else gettext("Internal note added."),
            )
        return HttpResponseRedirect(change_url)

    def merge_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        demand = self._scoped_demand(request, object_id)
        change_url = reverse("admin:requests_tracker_demand_change", args=[demand.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        form = MergeForm(request.POST, demand=demand)
        if not form.is_valid():
            messages.error(request, gettext("Choose the demand this one duplicates."))
            return HttpResponseRedirect(change_url)
        into = form.cleaned_data["into"]
        try:
            actions.demand_merge(
                demand=demand,
                into=into,
                actor=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data["version"],
            )
        except actions.TransitionError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(change_url)
        messages.success(
            request,
            gettext("Merged into #%(id)s; its supports were carried over.") % {"id": into.pk},
        )
        return HttpResponseRedirect(reverse("admin:requests_tracker_demand_change", args=[into.pk]))


def _usual_department(admin_: DemandAdmin, request: HttpRequest) -> Any:
    def usual(demand: Demand) -> actions.Assignee | None:
        department = demand.category.default_department
        return actions.Assignee(department=department) if department else None

    return usual


def _chosen_department(admin_: DemandAdmin, request: HttpRequest) -> actions.Assignee | None:
    department = admin_._form_value(request, "assignee_department")
    return actions.Assignee(department=department) if department is not None else None


#: Where an assigning bulk action takes its assignee from (the names are the table's `bulk` names).
ASSIGNEE_SOURCES = {
    "assign_to_default_department": _usual_department,
    "assign_to_chosen_department": _chosen_department,
}


def _bulk_action(transition: workflow.Transition, bulk: workflow.BulkAction) -> Any:
    def run(self: DemandAdmin, request: HttpRequest, queryset: QuerySet[Demand]) -> None:
        params = self._bulk_params(request, transition, bulk.name)
        if params is not None:
            self._bulk(request, queryset, transition.action, **params)

    run.__name__ = bulk.name
    run.workflow_action = transition.action  # type: ignore[attr-defined]
    return admin.action(description=bulk.description)(run)


for _transition in workflow.TRANSITIONS.values():
    for _bulk in _transition.bulk:
        setattr(DemandAdmin, _bulk.name, _bulk_action(_transition, _bulk))


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


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "is_active"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["category"]


from . import admin_notifications  # noqa: E402, F401  (the notification outbox's admin)
