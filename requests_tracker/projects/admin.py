"""Projects in the admin: captains run their buildings' projects, the lead department its own.

Links to demands and resources are saved through the actions (a demand's timeline gets its "taken up
by a project" event; a resource is marked taken up). Status and progress move through the project
page and the API (each change is an announced update), so they are read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Building, CouncilMember, Subdistrict
from services.models import Department
from services.resources.models import Resource

from . import access, actions, selectors
from .models import Milestone, Project, ProjectDemand, ProjectResource, ProjectUpdate


def _scope(request: HttpRequest) -> ActorScope:
    if not (request.user.is_active and request.user.is_staff):
        return ActorScope()
    return actor_scope(request.user)  # type: ignore[arg-type]


class _RunsTheProject:
    """Inline rows follow the project's access (the admin asks Django's model permissions otherwise)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        return access.may_read_any(scope) if obj is None else access.visible_projects(scope).filter(pk=obj.pk).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if obj is None:
            return scope.is_superuser or bool(scope.triage_building_ids)  # the add page
        return access.may_run(scope, obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class MilestoneInline(_RunsTheProject, admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["order", "title", "due_date", "done_date"]


class DemandLinkForm(forms.ModelForm):
    class Meta:
        model = ProjectDemand
        fields = ["demand"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        demand = data.get("demand")
        project = self.instance.project if self.instance.project_id else None
        if (
            demand is not None
            and project is not None
            and demand.building_id not in selectors.served_building_ids(project)
        ):
            raise ValidationError(_("This demand is not from a building the project serves."))
        return data


class DemandLinkInline(_RunsTheProject, admin.TabularInline):
    model = ProjectDemand
    form = DemandLinkForm
    extra = 1
    fields = ["demand", "linked_at"]
    readonly_fields = ["linked_at"]
    raw_id_fields = ["demand"]
    verbose_name = _("demand it answers")
    verbose_name_plural = _("demands it answers")


class ResourceLinkInline(_RunsTheProject, admin.TabularInline):
    model = ProjectResource
    extra = 1
    fields = ["resource", "note"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "resource":
            from services.resources.access import visible_resources

            scope = _scope(request)
            kwargs["queryset"] = (
                Resource.objects.all()
                if scope.is_superuser
                else visible_resources(scope) | Resource.objects.filter(is_public=True)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class UpdateInline(_RunsTheProject, admin.TabularInline):
    model = ProjectUpdate
    extra = 0
    fields = ("created_at", "kind", "text", "is_public", "progress_after", "status_after", "author_label", "notified")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("updates (post them on the project's page)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "progress", "target_date", "updated_at", "is_public"]
    list_filter = ["status", "is_public"]
    search_fields = ["title", "description"]
    inlines = [MilestoneInline, DemandLinkInline, ResourceLinkInline, UpdateInline]
    raw_id_fields = ["lead_member"]
    readonly_fields = ["status", "paused_reason", "progress", "completed_at", "view_on_site_link"]
    fields = [
        "title",
        "description",
        "buildings",
        "subdistrict",
        "lead_member",
        "lead_department",
        "start_date",
        "target_date",
        "progress_mode",
        "is_public",
        "status",
        "paused_reason",
        "progress",
        "completed_at",
        "view_on_site_link",
    ]

    @admin.display(description=_("public page"))
    def view_on_site_link(self, obj: Project) -> str:
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', reverse("project", args=[obj.pk]), _("open")) if obj.pk else "—"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_read_any(_scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if obj is None:
            return access.may_read_any(scope)
        return access.may_read_any(scope) and self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        scope = _scope(request)
        return scope.is_superuser or bool(scope.triage_building_ids)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if obj is None:
            return access.may_run_any(scope)
        return access.may_run(scope, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request).is_superuser

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        scope = _scope(request)
        if scope.is_superuser:
            return Project.objects.all()
        # The admin lists what the user runs or oversees (district staff), not every public project.
        visible = access.visible_projects(scope).exclude(pk__in=[])
        runs_or_oversees = visible.filter(pk__in=access.managed_projects(scope).values("pk")) | visible.filter(
            pk__in=_district_projects(scope)
        )
        return runs_or_oversees.distinct()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and not _scope(request).is_superuser:
            fields += ["buildings", "subdistrict"]  # the places a project serves change only with a superuser
        return fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = _scope(request)
        if db_field.name == "buildings" and not scope.is_superuser:
            kwargs["queryset"] = Building.objects.filter(pk__in=scope.triage_building_ids)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = _scope(request)
        if not scope.is_superuser:
            if db_field.name == "subdistrict":
                kwargs["queryset"] = Subdistrict.objects.none()
            elif db_field.name == "lead_department":
                kwargs["queryset"] = Department.objects.filter(is_active=True)
            elif db_field.name == "lead_member":
                kwargs["queryset"] = CouncilMember.objects.filter(council__building_id__in=scope.triage_building_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()
        project: Project = form.instance
        scope = _scope(request)
        if not change and not project.buildings.exists() and project.subdistrict_id is None:
            raise PermissionDenied
        if not change and not access.may_create_for(
            scope,
            building_ids=set(project.buildings.values_list("pk", flat=True)),
            subdistrict_id=project.subdistrict_id,
        ):
            raise PermissionDenied
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        actions.project_recount_progress(project=project)
        # Its status, its buildings or sub-district may have changed here: the screens and figures move on.
        actions.project_changed_in_admin(project=project)

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        actions.project_changed_in_admin(project=obj)  # the buildings it served, read before they go
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            actions.project_changed_in_admin(project=project)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        project: Project = form.instance
        if formset.model is ProjectDemand:
            links = formset.save(commit=False)
            for link in formset.deleted_objects:
                actions.project_unlink_demand(project=project, demand=link.demand, actor=request.user)  # type: ignore[arg-type]
            for link in links:
                if link.pk is None:
                    try:
                        actions.project_link_demand(project=project, demand=link.demand, actor=request.user)  # type: ignore[arg-type]
                    except ValidationError as error:
                        messages.error(request, " ".join(error.messages))
            return
        if formset.model is ProjectResource:
            links = formset.save(commit=False)
            for link in formset.deleted_objects:
                actions.project_release_resource(project=project, resource=link.resource)
            for link in links:
                if link.pk is None:
                    actions.project_use_resource(project=project, resource=link.resource, note=link.note)
                else:
                    link.save()
            return
        formset.save()


def _district_projects(scope: ActorScope) -> Any:
    from django.db.models import Q

    if not scope.district_ids:
        return Project.objects.none().values("pk")
    return Project.objects.filter(
        Q(buildings__subdistrict__district_id__in=scope.district_ids)
        | Q(subdistrict__district_id__in=scope.district_ids)
    ).values("pk")
