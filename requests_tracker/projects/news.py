"""A project's news for the people behind its linked demands: promised in the request, told by a worker.

A public update or a status change calls `announce(project, update)`: one row in the captain's
transaction (`changes.tell_followers_later`). A worker then calls `build` to make the message from
the update as it was written (its status and progress afterwards), and `told` to record how many
people it reached. One message per person per update: the outbox's dedupe keys make it a database
guarantee, however many linked demands a person is behind and however often the task runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..changes import FollowerNews, tell_followers_later
from .models import Project, ProjectDemand, ProjectUpdate

KIND = "project_update"


def announce(project: Project, update: ProjectUpdate) -> bool:
    """Promises the news of a public update of a public project (a backdated one is old news)."""
    if not project.is_public or not update.is_public:
        return False
    if timezone.now() - update.created_at > timedelta(seconds=settings.NOTIFICATION_BACKDATED_AFTER_SECONDS):
        return False  # a backdated update (the demo seed, an import) is old news, as for demand events
    tell_followers_later(KIND, str(update.pk))
    return True


def build(ref: str) -> FollowerNews | None:
    """The news of update `ref`, or None when there is no one to tell (gone, made private, no demands)."""
    update = ProjectUpdate.objects.select_related("project").filter(pk=int(ref)).first()
    if update is None or not update.is_public or not update.project.is_public:
        return None
    project = update.project
    demand_ids = tuple(ProjectDemand.objects.filter(project=project).values_list("demand_id", flat=True))
    if not demand_ids:
        return None
    # Lazy labels: the outbox renders each copy in its recipient's language. The status and progress
    # are the update's own, so a late worker tells what happened then, not what the project is now.
    status = Project.Status(update.status_after or project.status).label
    progress = update.progress_after if update.progress_after is not None else project.progress
    facts: tuple[tuple[object, object], ...] = (
        (gettext_lazy("Status"), status),
        (gettext_lazy("Progress"), f"{progress}%"),
    )
    if update.kind == ProjectUpdate.Kind.STATUS:
        subject = gettext_lazy("Project “%(title)s”: %(status)s")
        intro = gettext_lazy("The project's status changed to: %(status)s.")
    else:
        subject = gettext_lazy("News from the project “%(title)s”")
        intro = gettext_lazy("The project posted an update.")
    return FollowerNews(
        kind=KIND,
        key=f"project-update:{update.pk}",
        demand_ids=demand_ids,
        subject=_Lazy(subject, title=project.title, status=status),
        paragraphs=(_Lazy(intro, status=status), update.text),
        facts=facts,
        path=reverse("project", args=[project.pk]),
        link_label=gettext_lazy("See the project"),
    )


def told(ref: str, count: int) -> None:
    """Records on the update how many people its news reached ("told 1,236 people" in the admin)."""
    ProjectUpdate.objects.filter(pk=int(ref)).update(notified=count)


@dataclass(frozen=True)
class _Lazy:
    """A translatable template with its values, rendered in whatever language is active when str()'d."""

    template: object
    title: str = ""
    status: object = ""

    def __str__(self) -> str:
        return str(self.template) % {"title": self.title, "status": str(self.status)}
