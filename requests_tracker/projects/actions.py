"""Writes of the project list. Keyword-only, atomic; the project row is locked while it changes.

Every public update and every status change tells the people behind the linked demands (news.py):
the request promises the news in its transaction, a worker writes one message per person.
Demands are only ever written through `requests_tracker.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from buildings import panels
from buildings.access import ActorScope, actor_scope
from buildings.models import Building, CouncilMember, Subdistrict, User
from buildings.photos import clean_photo
from services.models import Department
from services.resources.actions import resource_set_status
from services.resources.models import Resource

from .. import figures
from ..actions import Assignee, TransitionError, demand_log, demand_transition
from ..models import Demand, DemandEvent
from ..workflow import Action, Outcome, Status
from . import access, news, selectors
from .models import Milestone, Project, ProjectDemand, ProjectResource, ProjectUpdate

#: Which status a project may move to from which (done → in progress reopens it).
STATUS_FLOW: dict[str, frozenset[str]] = {
    Project.Status.PLANNED: frozenset({Project.Status.IN_PROGRESS, Project.Status.PAUSED, Project.Status.DONE}),
    Project.Status.IN_PROGRESS: frozenset({Project.Status.PAUSED, Project.Status.DONE}),
    Project.Status.PAUSED: frozenset({Project.Status.IN_PROGRESS, Project.Status.DONE}),
    Project.Status.DONE: frozenset({Project.Status.IN_PROGRESS}),
}


def _lock(project: Project) -> Project:
    """The project's current row, locked until the transaction ends (two captains at once queue up)."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _actor_label(scope: ActorScope, project: Project) -> str:
    """How the actor is named publicly: a council or a department, never a private person."""
    with override(settings.LANGUAGE_CODE):
        building = (
            Building.objects.filter(pk__in=scope.triage_building_ids)
            .filter(Q(projects=project) | Q(subdistrict__projects=project))
            .select_related("council")
            .first()
        )
        if building is not None:
            return str(getattr(building, "council", None) or building)
        if project.lead_department_id is not None and project.lead_department_id in scope.department_ids:
            return str(project.lead_department)
        # A superuser (or the demo seed) speaks for the council of the first building served.
        first = Building.objects.filter(projects=project).select_related("council").order_by("pk").first()
        if first is not None:
            return str(getattr(first, "council", None) or first)
        return str(project.subdistrict or gettext_lazy("Building council"))


def _project_moved(project: Project) -> None:
    """After commit: the screens and boards of the buildings it serves, and the statistics page's
    project figures, move on."""
    ids = list(selectors.served_building_ids(project))

    def touch() -> None:
        for pk in ids:
            panels.touch(pk)
        figures.area_figures_changed()

    transaction.on_commit(touch)


def project_changed_in_admin(*, project: Project) -> None:
    """The admin saved the project's own fields (status, places) or is about to delete it: after
    commit, the screens of the buildings it serves and the statistics' project figures move on."""
    _project_moved(project)


def _progress(value: object) -> int:
    try:
        progress = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError({"progress": _("Progress is a whole number from 0 to 100.")}) from None
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a whole number from 0 to 100.")})
    return progress


@transaction.atomic
def project_create(
    *,
    actor: User | None,
    title: str,
    buildings: list[Building] | None = None,
    subdistrict: Subdistrict | None = None,
    description: str = "",
    start_date: date | None = None,
    target_date: date | None = None,
    lead_member: CouncilMember | None = None,
    lead_department: Department | None = None,
    is_public: bool = True,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Project:
    """Starts a project for buildings the actor captains (or a sub-district, for superusers)."""
    scope = scope or actor_scope(actor)
    buildings = list(buildings or [])
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("A project needs a title.")})
    if not buildings and subdistrict is None:
        raise ValidationError({"building": _("Say which building(s) or sub-district the project serves.")})
    if not access.may_create_for(
        scope, building_ids={b.pk for b in buildings}, subdistrict_id=subdistrict.pk if subdistrict else None
    ):
        raise TransitionError(_("You may not start projects for these buildings."), code="forbidden")
    if start_date and target_date and target_date < start_date:
        raise ValidationError({"target_date": _("The target date is before the start date.")})
    now = at or timezone.now()
    project = Project.objects.create(
        title=title,
        description=description.strip(),
        subdistrict=subdistrict,
        start_date=start_date,
        target_date=target_date,
        lead_member=lead_member,
        lead_department=lead_department,
        is_public=is_public,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
        updated_at=now,
    )
    project.buildings.set(buildings)
    _project_moved(project)
    return project


@transaction.atomic
def project_link_demand(
    *,
    project: Project,
    demand: Demand,
    actor: User | None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> bool:
    """Links a demand of a building the project serves; writes "纳入项目" on the demand's public timeline.

    Returns False (and writes nothing) when the demand is already linked.
    """
    scope = scope or actor_scope(actor)
    if demand.building_id not in selectors.served_building_ids(project):
        raise ValidationError({"demand": _("This demand is not from a building the project serves.")})
    if ProjectDemand.objects.filter(project=project, demand=demand).exists():
        return False
    try:
        with transaction.atomic():
            ProjectDemand.objects.create(
                project=project,
                demand=demand,
                linked_by=actor if actor and actor.is_authenticated else None,
                linked_at=at or timezone.now(),
            )
    except IntegrityError:
        return False  # linked by someone else a moment ago: the same outcome
    # The event's own label says "taken up by a project" (已纳入项目) on the timeline and the screens;
    # the note names which one.
    note = project.title
    demand_log(
        demand=demand,
        kind=DemandEvent.Kind.PROJECT_LINKED,
        actor=actor,
        actor_label=_actor_label(scope, project),
        note=note,
        is_public=project.is_public,
        data={"project_id": project.pk, "project_title": project.title, "url": reverse("project", args=[project.pk])},
        at=at,
    )
    Project.objects.filter(pk=project.pk).update(updated_at=at or timezone.now())
    return True


@transaction.atomic
def project_unlink_demand(
    *, project: Project, demand: Demand, actor: User | None, scope: ActorScope | None = None
) -> bool:
    """Lets a demand go; writes "no longer part of the project" on its timeline. False when it was not linked."""
    scope = scope or actor_scope(actor)
    deleted, _rows = ProjectDemand.objects.filter(project=project, demand=demand).delete()
    if not deleted:
        return False
    with override(settings.LANGUAGE_CODE):
        note = _("No longer part of the project “%(title)s”.") % {"title": project.title}
    demand_log(
        demand=demand,
        kind=DemandEvent.Kind.PROJECT_UNLINKED,
        actor=actor,
        actor_label=_actor_label(scope, project),
        note=note,
        is_public=project.is_public,
        data={"project_id": project.pk, "project_title": project.title},
    )
    return True


@transaction.atomic
def project_post_update(
    *,
    project: Project,
    actor: User | None,
    text: str,
    is_public: bool = True,
    progress: object = None,
    photo: UploadedFile | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> ProjectUpdate:
    """Adds an update (text, optional photo and progress). A public one is announced to the followers."""
    scope = scope or actor_scope(actor)
    text = text.strip()
    new_progress = None if progress is None or progress == "" else _progress(progress)
    if not text and new_progress is None:
        raise ValidationError({"text": _("Write what happened, or set the progress.")})
    clean = clean_photo(photo) if photo is not None else None
    project = _lock(project)
    now = at or timezone.now()
    update = ProjectUpdate(
        project=project,
        kind=ProjectUpdate.Kind.UPDATE,
        text=text,
        is_public=is_public,
        progress_before=project.progress,
        progress_after=new_progress if new_progress is not None else project.progress,
        author=actor if actor is not None and actor.is_authenticated else None,
        author_label=_actor_label(scope, project),
        created_at=now,
    )
    if clean is not None:
        update.photo.save("photo.jpg", clean.content, save=False)
    update.save()
    fields: dict[str, object] = {"updated_at": now, "version": project.version + 1}
    if new_progress is not None:
        fields.update(progress=new_progress, progress_mode=Project.ProgressMode.MANUAL)
    Project.objects.filter(pk=project.pk).update(**fields)
    project.refresh_from_db()
    news.announce(project, update)
    _project_moved(project)
    return update


@transaction.atomic
def project_set_status(
    *,
    project: Project,
    status: str,
    actor: User | None,
    note: str = "",
    reason: str = "",
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> ProjectUpdate:
    """Moves the project along STATUS_FLOW (a pause needs a reason); a status update is announced."""
    scope = scope or actor_scope(actor)
    project = _lock(project)
    if status not in Project.Status.values:
        raise ValidationError({"status": _("Unknown project status.")})
    if status not in STATUS_FLOW[project.status]:
        raise TransitionError(
            _("This project is %(status)s; it cannot become %(target)s.")
            % {"status": project.get_status_display(), "target": Project.Status(status).label},
            code="invalid_state",
        )
    reason = reason.strip()
    if status == Project.Status.PAUSED and not reason:
        raise ValidationError({"reason": _("Say why the project is paused.")})
    now = at or timezone.now()
    fields: dict[str, object] = {"status": status, "updated_at": now, "version": project.version + 1}
    fields["paused_reason"] = reason if status == Project.Status.PAUSED else ""
    if status == Project.Status.IN_PROGRESS and project.start_date is None:
        fields["start_date"] = timezone.localdate(now)
    if status == Project.Status.DONE:
        fields.update(completed_at=now, progress=100)
    elif project.status == Project.Status.DONE:
        fields["completed_at"] = None
    before = project.status
    progress_before = project.progress
    Project.objects.filter(pk=project.pk).update(**fields)
    project.refresh_from_db()
    update = ProjectUpdate.objects.create(
        project=project,
        kind=ProjectUpdate.Kind.STATUS,
        text="\n".join(part for part in (reason, note.strip()) if part),
        is_public=True,
        status_before=before,
        status_after=status,
        progress_before=progress_before,
        progress_after=project.progress,
        author=actor if actor is not None and actor.is_authenticated else None,
        author_label=_actor_label(scope, project),
        created_at=now,
    )
    news.announce(project, update)
    _project_moved(project)
    return update


@dataclass
class Completion:
    update: ProjectUpdate
    resolved: list[int] = field(default_factory=list)
    #: Open linked demands left alone, with why (not the actor's to resolve, no lead to assign to).
    skipped: dict[int, str] = field(default_factory=dict)


@transaction.atomic
def project_complete(
    *,
    project: Project,
    actor: User | None,
    note: str,
    resolve_demands: bool = False,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Completion:
    """Marks the project done (progress 100, announced) and, if asked, resolves its open linked demands
    as "solved" with the closing note, each through the demand workflow (tallies, screens and the
    submitters' notifications follow as for any resolve; residents can still answer "not solved")."""
    scope = scope or actor_scope(actor)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write the closing note residents will read.")})
    update = project_set_status(project=project, status=Project.Status.DONE, actor=actor, note=note, scope=scope, at=at)
    completion = Completion(update=update)
    if not resolve_demands:
        return completion
    demands = Demand.objects.filter(
        project_links__project=project, status__in=[Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS]
    ).select_related("building__council")
    lead = Assignee(member=project.lead_member, department=project.lead_department)
    for demand in demands.order_by("pk"):
        try:
            if demand.status == Status.SUBMITTED:
                if lead.member is None and lead.department is None:
                    completion.skipped[demand.pk] = _("not assigned yet, and the project has no lead")
                    continue
                demand = demand_transition(demand=demand, action=Action.ASSIGN, actor=actor, assignee=lead, scope=scope)
            demand_transition(
                demand=demand,
                action=Action.RESOLVE,
                actor=actor,
                outcome=Outcome.SOLVED,
                note=note,
                scope=scope,
                at=at,
            )
        except TransitionError as error:
            completion.skipped[demand.pk] = error.message
            continue
        completion.resolved.append(demand.pk)
    return completion


@transaction.atomic
def project_recount_progress(*, project: Project) -> Project:
    """With progress "from the milestones": the share of milestones done (admin saves call this)."""
    project = _lock(project)
    if project.progress_mode != Project.ProgressMode.MILESTONES:
        return project
    total = Milestone.objects.filter(project=project).count()
    done = Milestone.objects.filter(project=project, done_date__isnull=False).count()
    progress = round(100 * done / total) if total else 0
    if progress != project.progress:
        Project.objects.filter(pk=project.pk).update(progress=progress, updated_at=timezone.now())
        project.progress = progress
        _project_moved(project)
    return project


@transaction.atomic
def project_use_resource(*, project: Project, resource: Resource, note: str = "") -> bool:
    """Records that the project uses a resource, which is marked taken up. False when it already was."""
    _link, created = ProjectResource.objects.get_or_create(project=project, resource=resource, defaults={"note": note})
    if resource.status == Resource.Status.AVAILABLE:
        resource_set_status(resource=resource, status=Resource.Status.TAKEN_UP)
    return created


@transaction.atomic
def project_release_resource(*, project: Project, resource: Resource) -> bool:
    """The project no longer uses the resource; it is available again unless another project uses it."""
    deleted, _rows = ProjectResource.objects.filter(project=project, resource=resource).delete()
    if deleted and resource.status == Resource.Status.TAKEN_UP and not resource.project_links.exists():
        resource_set_status(resource=resource, status=Resource.Status.AVAILABLE)
    return bool(deleted)
