"""Public pages of the three lists, and the council's update form on a project's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from buildings.access import actor_scope
from buildings.models import Building
from services.resources import selectors as resource_selectors

from ..actions import TransitionError
from ..selectors import board_demands
from . import access, actions, selectors
from .models import Project, ProjectDemand, ProjectResource

LISTS_DEMANDS = 12


def _building(slug: str) -> Building:
    return get_object_or_404(Building.objects.select_related("subdistrict", "council"), slug=slug, is_active=True)


def building_lists(request: HttpRequest, slug: str) -> HttpResponse:
    """三张清单: the building's demands, resources and projects side by side, and how they connect."""
    building = _building(slug)
    projects = list(selectors.building_projects(building))
    resources = list(resource_selectors.building_resources(building))
    project_ids = [p.pk for p in projects]
    # The demands a project answers first, then the most supported: the list shows how they connect.
    answered = Exists(ProjectDemand.objects.filter(demand=OuterRef("pk"), project_id__in=project_ids))
    demands = list(
        board_demands(building.pk, ordering="supported")
        .annotate(answered=answered)
        .order_by("-answered", "-support_count", "-submitted_at", "-id")[:LISTS_DEMANDS]
    )
    demand_links = ProjectDemand.objects.filter(project_id__in=project_ids).values_list("project_id", "demand_id")
    resource_links = ProjectResource.objects.filter(project_id__in=project_ids).values_list("project_id", "resource_id")
    by_demand: dict[int, list[Project]] = {}
    by_resource: dict[int, list[Project]] = {}
    titles = {p.pk: p for p in projects}
    for project_id, demand_id in demand_links:
        by_demand.setdefault(demand_id, []).append(titles[project_id])
    for project_id, resource_id in resource_links:
        by_resource.setdefault(resource_id, []).append(titles[project_id])
    for p in projects:
        p.linked_demand_ids = [d for pid, d in demand_links if pid == p.pk]  # type: ignore[attr-defined]
        p.linked_resource_ids = [r for pid, r in resource_links if pid == p.pk]  # type: ignore[attr-defined]
    for d in demands:
        d.answered_by = by_demand.get(d.pk, [])  # type: ignore[attr-defined]
    for r in resources:
        r.used_by = by_resource.get(r.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "projects/lists.html",
        {
            "building": building,
            "projects": projects,
            "resources": resources,
            "demands": demands,
            "demand_total": board_demands(building.pk).count(),
            "main_class": "lists-page",
        },
    )


def building_projects(request: HttpRequest, slug: str) -> HttpResponse:
    building = _building(slug)
    status = request.GET.get("status", "")
    status = status if status in Project.Status.values else ""
    return render(
        request,
        "projects/projects.html",
        {
            "building": building,
            "projects": list(selectors.building_projects(building, status=status)),
            "statuses": Project.Status.choices,
            "status": status,
        },
    )


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What happened"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    progress = forms.IntegerField(label=gettext_lazy("Progress (%)"), min_value=0, max_value=100, required=False)
    is_public = forms.BooleanField(label=gettext_lazy("Public (residents are told)"), required=False, initial=True)
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Closing note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    resolve_demands = forms.BooleanField(
        label=gettext_lazy("Resolve the open linked demands as solved, with this note"), required=False, initial=True
    )


def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = actor_scope(request.user)
    project = selectors.project_page(access.visible_projects(scope), pk)
    if project is None:
        raise Http404
    runs = access.may_run_any(scope) and access.may_run(scope, project)
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "buildings": list(project.buildings.all()),
            "milestones": list(project.milestones.all()),
            "updates": project.public_updates,  # type: ignore[attr-defined]
            "demand_links": project.public_demand_links,  # type: ignore[attr-defined]
            "resource_links": project.public_resource_links,  # type: ignore[attr-defined]
            "supporters": sum(link.demand.support_count for link in project.public_demand_links),  # type: ignore[attr-defined]
            "runs": runs,
            "update_form": UpdateForm() if runs else None,
            "complete_form": CompleteForm() if runs and project.status != Project.Status.DONE else None,
            # The statuses the council may move the project to from here (done is "complete").
            "next_statuses": [
                (s, Project.Status(s).label)
                for s in Project.Status.values
                if s in actions.STATUS_FLOW[project.status] and s != Project.Status.DONE
            ]
            if runs
            else [],
        },
    )


def _runnable(request: HttpRequest, pk: int) -> tuple[Project, access.ActorScope]:
    scope = actor_scope(request.user)
    project = access.managed_projects(scope).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project, scope


@require_POST
def project_update(request: HttpRequest, pk: int) -> HttpResponse:
    project, scope = _runnable(request, pk)
    form = UpdateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            update = actions.project_post_update(
                project=project,
                actor=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"] or "",
                is_public=form.cleaned_data["is_public"],
                progress=form.cleaned_data["progress"],
                photo=form.cleaned_data["photo"],
                scope=scope,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("project", pk=pk)
        messages.success(
            request,
            _("Update posted; everyone behind its linked demands is being told.")
            if update.is_public
            else _("Internal note saved."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("project", pk=pk)


@require_POST
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project, scope = _runnable(request, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the closing note residents will read."))
        return redirect("project", pk=pk)
    try:
        done = actions.project_complete(
            project=project,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
            resolve_demands=form.cleaned_data["resolve_demands"],
            scope=scope,
        )
    except (TransitionError, ValidationError) as error:
        messages.error(request, error.message if isinstance(error, TransitionError) else " ".join(error.messages))
        return redirect("project", pk=pk)
    messages.success(
        request,
        _("Project completed; %(n)s linked demands resolved.") % {"n": len(done.resolved)},
    )
    return redirect("project", pk=pk)


@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project, scope = _runnable(request, pk)
    try:
        actions.project_set_status(
            project=project,
            status=request.POST.get("status", ""),
            actor=request.user,  # type: ignore[arg-type]
            reason=request.POST.get("reason", "")[:300],
            scope=scope,
        )
    except TransitionError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Status changed; the people behind its demands were told."))
    return redirect("project", pk=pk)
