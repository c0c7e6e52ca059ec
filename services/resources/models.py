"""资源清单: what a building and its partners can offer — space, services, goods and sponsorship, volunteers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Subdistrict
from services.models import Department


class Resource(models.Model):
    """One offer on a building's (or a whole sub-district's) resource list."""

    class Kind(models.TextChoices):
        SPACE = "space", _("space")
        SERVICE = "service", _("service")
        GOODS = "goods", _("goods and sponsorship")
        VOLUNTEERS = "volunteers", _("volunteers")

    class Provider(models.TextChoices):
        OWNER = "owner", _("building owner")
        PROPERTY = "property", _("property manager")
        TENANT = "tenant", _("tenant company")
        PARTNER = "partner", _("partner organisation")
        DEPARTMENT = "department", _("department")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        TAKEN_UP = "taken_up", _("taken up by a project")
        WITHDRAWN = "withdrawn", _("withdrawn")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    provider_kind = models.CharField(_("offered by"), max_length=20, choices=Provider.choices)
    provider_name = models.CharField(_("provider"), max_length=200, help_text=_("For example “上海银行大厦”."))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("department"),
        help_text=_("The department that offers it and keeps it up to date, if any."),
    )
    # Where: a building (and optionally a floor), or the whole sub-district when no building is set.
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("building"),
    )
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="resources", verbose_name=_("sub-district")
    )
    floor = models.CharField(_("floor"), max_length=50, blank=True, help_text=_("For example “1F” or “22F”."))
    availability = models.CharField(
        _("available when"), max_length=200, blank=True, help_text=_("For example “工作日 8:30–18:00” or dates.")
    )
    capacity = models.CharField(_("capacity"), max_length=100, blank=True, help_text=_("For example “150 个车位”."))
    description = models.TextField(_("public description"), max_length=4000, blank=True)
    # Private: never on a public page, screen or the anonymous API.
    contact = models.CharField(_("contact (private)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    is_public = models.BooleanField(_("shown publicly"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["kind", "title", "id"]
        indexes = [
            models.Index(fields=["building", "kind"], name="resource_building_kind"),
            models.Index(fields=["subdistrict", "kind"], name="resource_subdistrict_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        place = self.building.localized_name if self.building_id and self.building else str(self.subdistrict)
        return f"{place} {self.floor}".strip()
