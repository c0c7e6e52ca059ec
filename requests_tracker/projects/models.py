"""项目清单: the concrete undertakings that answer demands, with milestones, updates and links.

A project serves one or more buildings, or a whole sub-district. Links to demands and resources are
tables of this app (the core and the resource list know nothing of projects).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, CouncilMember, Subdistrict
from services.models import Department
from services.resources.models import Resource


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        PAUSED = "paused", _("paused")
        DONE = "done", _("done")

    class ProgressMode(models.TextChoices):
        MILESTONES = "milestones", _("from the milestones")
        MANUAL = "manual", _("set by hand")

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="projects", verbose_name=_("buildings served")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("whole sub-district served"),
        help_text=_("Set when the project serves every building of a sub-district."),
    )
    lead_member = models.ForeignKey(
        CouncilMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead (council member)"),
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead (department)"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    paused_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_mode = models.CharField(
        _("progress"), max_length=20, choices=ProgressMode.choices, default=ProgressMode.MANUAL
    )
    is_public = models.BooleanField(_("shown publicly"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    resources = models.ManyToManyField(
        Resource, through="ProjectResource", blank=True, related_name="projects", verbose_name=_("resources used")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="project_progress_0_100"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_at__isnull=False),
                name="project_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def lead(self) -> CouncilMember | Department | None:
        return self.lead_member or self.lead_department


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_date = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "order", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


def _photo_name(instance: ProjectUpdate, filename: str) -> str:
    return f"project-photos/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}.jpg"


class ProjectUpdate(models.Model):
    """One step on a project's timeline; a public one is "progress shown to residents" and is announced."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("update")
        STATUS = "status", _("status changed")
        CREATED = "created", _("created")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UPDATE)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    photo = models.FileField(_("photo"), upload_to=_photo_name, max_length=200, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    progress_before = models.PositiveSmallIntegerField(_("progress before"), null=True, blank=True)
    progress_after = models.PositiveSmallIntegerField(_("progress after"), null=True, blank=True)
    status_before = models.CharField(_("status before"), max_length=20, choices=Project.Status.choices, blank=True)
    status_after = models.CharField(_("status after"), max_length=20, choices=Project.Status.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("shown as"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    #: How many outbox rows the update wrote (recorded for the admin: "told 1,236 people").
    notified = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.get_kind_display()}"


class ProjectDemand(models.Model):
    """A demand the project answers (unique: linking twice is a no-op)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="demand_links", verbose_name=_("project")
    )
    demand = models.ForeignKey(
        "requests_tracker.Demand", on_delete=models.CASCADE, related_name="project_links", verbose_name=_("demand")
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("linked demand")
        verbose_name_plural = _("linked demands")
        ordering = ["project", "linked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "demand"], name="project_demand_once")]

    def __str__(self) -> str:
        return f"{self.project_id} ↔ #{self.demand_id}"


class ProjectResource(models.Model):
    """A resource the project uses."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="resource_links", verbose_name=_("project")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="project_links", verbose_name=_("resource")
    )
    note = models.CharField(_("how it is used"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("resource used")
        verbose_name_plural = _("resources used")
        constraints = [models.UniqueConstraint(fields=["project", "resource"], name="project_resource_once")]

    def __str__(self) -> str:
        return f"{self.project_id} ↔ {self.resource_id}"
