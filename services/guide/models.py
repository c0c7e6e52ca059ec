"""楼事服务指南 and 办事大厅: what each department handles (matters) and what can be requested online (services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services.models import Department


class HallService(models.Model):
    """A service of the hall (办事大厅) a resident can request online; its form is its fields."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="hall_services", verbose_name=_("department")
    )
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("hall service")
        verbose_name_plural = _("hall services")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name

    @property
    def localized_description(self) -> str:
        return self.description_en if _english() and self.description_en else self.description


class ServiceField(models.Model):
    """One attribute of a service's form, with exactly Open311 GeoReport v2's datatypes."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLE = "singlevaluelist", _("single choice")
        MULTI = "multivaluelist", _("multiple choice")

    service = models.ForeignKey(HallService, on_delete=models.CASCADE, related_name="fields", verbose_name=_("service"))
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.CharField(_("help text"), max_length=300, blank=True)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choices: [{"key": "am", "name": "上午", "name_en": "Morning"}, ...]'),
    )

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["service", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="service_field_code_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    datatype__in=["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
                ),
                name="service_field_open311_datatype",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} · {self.code}"

    @property
    def localized_label(self) -> str:
        return self.label_en if _english() and self.label_en else self.label

    @property
    def is_choice(self) -> bool:
        return self.datatype in (self.Datatype.SINGLE, self.Datatype.MULTI)

    def option_keys(self) -> list[str]:
        return [str(o.get("key")) for o in self.options or [] if isinstance(o, dict)]

    def localized_options(self) -> list[tuple[str, str]]:
        english = _english()
        return [
            (str(o.get("key")), str((o.get("name_en") if english else None) or o.get("name") or o.get("key")))
            for o in self.options or []
            if isinstance(o, dict)
        ]


class Matter(models.Model):
    """事项: one thing a department handles, written for the people who need it."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="matters", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    audience = models.TextField(_("who it is for"), blank=True)
    steps = models.TextField(_("steps"), blank=True)
    documents = models.TextField(_("documents needed"), blank=True)
    time_limit = models.CharField(_("time limit"), max_length=100, blank=True)
    fees = models.CharField(_("fees"), max_length=100, blank=True)
    office = models.CharField(_("where"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    hours = models.CharField(_("when"), max_length=100, blank=True)
    service = models.ForeignKey(
        HallService,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name=_("online form in the service hall"),
    )
    is_published = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    reviewed_at = models.DateTimeField(_("last reviewed"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["department", "id"]

    def __str__(self) -> str:
        return self.localized_title

    @property
    def localized_title(self) -> str:
        return self.title_en if _english() and self.title_en else self.title


#: The fields a matter's history keeps (everything a department edits).
MATTER_FIELDS = (
    "title",
    "title_en",
    "audience",
    "steps",
    "documents",
    "time_limit",
    "fees",
    "office",
    "phone",
    "hours",
    "service_id",
    "is_published",
)


class MatterRevision(models.Model):
    """A matter as it was before an edit: the history the guide keeps."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("matter"))
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("before the edit"), default=dict)
    changed = models.JSONField(_("fields changed"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("matter revision")
        verbose_name_plural = _("matter revisions")
        ordering = ["matter", "-version"]
        constraints = [models.UniqueConstraint(fields=["matter", "version"], name="matter_revision_once")]

    def __str__(self) -> str:
        return f"{self.matter_id} v{self.version}"


def _english() -> bool:
    return (get_language() or "").startswith("en")
