"""The demand list: the triage and work queues, their columns, bulk actions (generated from the
workflow table), exports and list edits — each write through the actions, on the version shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings import exports

from .. import access, actions, selectors, workflow
from ..exports import demand_rows
from ..models import Demand
from .filters import STATUS_COLOURS, OverdueFilter, QueueFilter, ScopedRelatedFilter
from .forms import DemandActionForm, DemandListEditForm, _seen_version


class BoundedDatesChangeList(ChangeList):
    """Django's change list, with a date-hierarchy year at the calendar's edge (9999) and a NUL byte in a
    filter value (which PostgreSQL refuses) a bad lookup — the "?e=1" redirect — instead of a 500."""

    def get_filters(self, request: HttpRequest) -> Any:
        # The search box (q) has its own check, which shows a message; filters have none.
        if any("\x00" in value for name, values in request.GET.lists() if name != SEARCH_VAR for value in values):
            raise IncorrectLookupParameters("NUL in a filter value")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class DemandListAdmin(admin.ModelAdmin):
    """The list side of the demand admin (see demands.DemandAdmin)."""

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
    change_list_template = "admin/requests_tracker/demand/change_list.html"
    # The bulk actions are generated from the workflow table's `bulk` column (below the class).
    actions = [*(b.name for t in workflow.TRANSITIONS.values() for b in t.bulk), "export_selected_csv"]

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

    def _export(self, queryset: QuerySet[Demand], fmt: str) -> HttpResponse:
        headers, rows = demand_rows(queryset)
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

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return BoundedDatesChangeList

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


def _usual_department(admin_: DemandListAdmin, request: HttpRequest) -> Any:
    def usual(demand: Demand) -> actions.Assignee | None:
        department = demand.category.default_department
        return actions.Assignee(department=department) if department else None

    return usual


def _chosen_department(admin_: DemandListAdmin, request: HttpRequest) -> actions.Assignee | None:
    department = admin_._form_value(request, "assignee_department")
    return actions.Assignee(department=department) if department is not None else None


#: Where an assigning bulk action takes its assignee from (the names are the table's `bulk` names).
ASSIGNEE_SOURCES = {
    "assign_to_default_department": _usual_department,
    "assign_to_chosen_department": _chosen_department,
}


def _bulk_action(transition: workflow.Transition, bulk: workflow.BulkAction) -> Any:
    def run(self: DemandListAdmin, request: HttpRequest, queryset: QuerySet[Demand]) -> None:
        params = self._bulk_params(request, transition, bulk.name)
        if params is not None:
            self._bulk(request, queryset, transition.action, **params)

    run.__name__ = bulk.name
    run.workflow_action = transition.action  # type: ignore[attr-defined]
    return admin.action(description=bulk.description)(run)


for _transition in workflow.TRANSITIONS.values():
    for _bulk in _transition.bulk:
        setattr(DemandListAdmin, _bulk.name, _bulk_action(_transition, _bulk))
