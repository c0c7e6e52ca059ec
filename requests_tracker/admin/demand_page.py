"""One demand's page: the change form, the transition, note and merge forms, and saving — every write
through the actions (compare-and-set on the version the editor saw)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

from .. import access, actions, selectors, workflow
from ..models import Category, Demand, ResponseTemplate
from . import contacts
from .forms import MODERATED_FIELDS, DemandAdminForm, MergeForm, NoteForm, TransitionForm, _seen_version
from .inlines import DemandEventInline, DemandRevisionInline


class DemandPageAdmin(admin.ModelAdmin):
    """The page side of the demand admin (see demands.DemandAdmin)."""

    form = DemandAdminForm
    inlines = [DemandEventInline, DemandRevisionInline]
    change_form_template = "admin/requests_tracker/demand/change_form.html"
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
        contacts.MASKED_FIELD,
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

    @admin.display(description=_("contact details"))
    def masked_contact(self, obj: Demand) -> str:
        return contacts.masked_contact_html(obj)

    def get_fieldsets(self, request: HttpRequest, obj: Demand | None = None) -> Any:
        if obj is None:
            # A new demand has no progress yet, and the channel is set by the submission.
            return (
                self.fieldsets[0],
                (_("Contact (private)"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
            )
        fieldsets: Any = self.fieldsets
        if not self.has_change_permission(request, obj):
            # Read-only readers (departments, district staff) have no edit to explain.
            fieldsets = tuple(
                (name, {"fields": tuple(f for f in opts["fields"] if f not in ("moderation_reason", "seen_version"))})
                for name, opts in fieldsets
            )
        if not contacts.is_revealed(request, obj):
            # Masked until "show" (logged); the form then has no contact fields, so a save cannot touch them.
            fieldsets = tuple(
                (
                    name,
                    {
                        "fields": tuple(
                            contacts.MASKED_FIELD if f == "contact_name" else f
                            for f in opts["fields"]
                            if f not in ("contact_phone", "contact_email")
                        )
                    },
                )
                for name, opts in fieldsets
            )
        return fieldsets

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
        # The tracking link belongs to the submitter alone: it is never shown in the admin, except this
        # once to whoever records a demand for a walk-in resident, to hand it over (print it or write it down).
        messages.info(
            request,
            format_html(
                '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                gettext("Give the resident this tracking link; it is shown only now:"),
                request.build_absolute_uri(reverse("track", args=[created.token])),
                request.build_absolute_uri(reverse("track", args=[created.token])),
            ),
        )

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
            messages.error(request, actions.stale_message(current) if exc.code == "stale" else exc.message)
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
            moved = actions.demand_transition(
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
                    "status": workflow.Status(moved.status).label,  # reopened unassigned: back to triage
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
