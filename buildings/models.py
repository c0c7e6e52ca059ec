"""Places and people: districts, sub-districts, buildings, tenant companies, councils, members."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who logs in: council members, department staff, district staff, residents."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class BilingualName(models.Model):
    """A name in Chinese (the official one) with its English rendering."""

    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class District(BilingualName):
    """区: Pudong New Area, Putuo, Jinshan, ..."""

    slug = models.SlugField(_("slug"), unique=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="districts",
        verbose_name=_("district staff"),
        help_text=_("Staff who read the statistics of every building in the district."),
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["slug"]


class Subdistrict(BilingualName):
    """街道 or 镇: the level below the district."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("sub-district (街道)")
        TOWN = "town", _("town (镇)")
        AREA = "area", _("functional area")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("district")
    )
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUBDISTRICT)

    class Meta:
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")
        ordering = ["district__slug", "slug"]


class Building(BilingualName):
    """楼宇: an office tower, a 'vertical community'."""

    slug = models.SlugField(_("slug"), unique=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("sub-district")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors above ground"), default=1)
    basement_floors = models.PositiveSmallIntegerField(_("basement floors"), default=0)
    is_key_building = models.BooleanField(
        _("key building"), default=False, help_text=_("重点楼宇: the district follows it closely.")
    )
    population = models.PositiveIntegerField(
        _("people working here"), null=True, blank=True, help_text=_("Approximate headcount.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["subdistrict__district__slug", "subdistrict__slug", "slug"]

    def floor_range(self) -> range:
        return range(-self.basement_floors, self.floors + 1)


class Company(models.Model):
    """入驻企业: a tenant company on some floors of a building."""

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="companies", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=200)
    floors = models.CharField(_("floors"), max_length=100, blank=True, help_text=_("For example “52” or “30-33, 35”."))
    industry = models.CharField(_("industry"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("tenant company")
        verbose_name_plural = _("tenant companies")
        ordering = ["building", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="company_unique_per_building"),
        ]

    def __str__(self) -> str:
        return self.name


class Council(models.Model):
    """楼事会 / 楼委会 / 楼长制: one per building."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("building council (楼事会)")
        COMMITTEE = "committee", _("building governance committee (楼委会)")
        CAPTAIN_SYSTEM = "captain_system", _("building-captain system (楼长制)")

    building = models.OneToOneField(
        Building, on_delete=models.CASCADE, related_name="council", verbose_name=_("building")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    name = models.CharField(_("name"), max_length=200, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    service_station = models.CharField(
        _("service station"),
        max_length=200,
        blank=True,
        help_text=_("Where the party-and-public service station is, e.g. “22F”."),
    )

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["building__slug"]

    def __str__(self) -> str:
        return self.name or f"{self.building.name}{self.get_kind_display()}"


class CouncilMember(models.Model):
    """A seat on a council, elected or appointed for a term."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("building captain (楼长)")
        ECONOMIC_CAPTAIN = "economic_captain", _("economic captain (第二楼长)")
        PARTY_SECRETARY = "party_secretary", _("building party secretary (楼宇党组织书记)")
        OWNER_REPRESENTATIVE = "owner_representative", _("owner representative (楼宇业主)")
        PROPERTY_MANAGER = "property_manager", _("property manager (物业负责人)")
        SERVICE_STATION_HEAD = "service_station_head", _("service station head (党群服务站负责人)")
        COMPANY_REPRESENTATIVE = "company_representative", _("company representative (企业代表)")
        EMPLOYEE_REPRESENTATIVE = "employee_representative", _("employee representative (员工代表)")
        PARTY_BUILDING_SUPERVISOR = "party_building_supervisor", _("party-building supervisor (党建督导员)")
        MARKET_REGULATOR = "market_regulator", _("market regulator (市场监管员)")
        POLICE_LIAISON = "police_liaison", _("police liaison (公安联络员)")
        FIRE_SAFETY_COUNSELLOR = "fire_safety_counsellor", _("fire-safety counsellor (消防辅导员)")

    #: Roles that triage their building's demands without being granted it explicitly.
    TRIAGE_ROLES = frozenset({Role.CAPTAIN, Role.ECONOMIC_CAPTAIN})

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members", verbose_name=_("council"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_seats",
        verbose_name=_("user account"),
    )
    display_name = models.CharField(_("display name"), max_length=100)
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_members",
        verbose_name=_("company"),
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    can_triage = models.BooleanField(
        _("may triage"),
        default=False,
        help_text=_("Captains and economic captains always may; other members only when this is set."),
    )
    is_public = models.BooleanField(_("shown on the public roster"), default=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "role", "display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_start__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="council_member_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"

    @property
    def triages(self) -> bool:
        return self.can_triage or self.role in self.TRIAGE_ROLES


class CouncilEvent(models.Model):
    """A line on a council's timeline: an election certified, a member elected, a term ended."""

    class Kind(models.TextChoices):
        ELECTION_CERTIFIED = "election_certified", _("election certified")
        ELECTION_VOID = "election_void", _("election void")
        MEMBER_ELECTED = "member_elected", _("member elected")
        TERM_ENDED = "term_ended", _("term ended")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="events", verbose_name=_("council"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(CouncilMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    note = models.CharField(_("note"), max_length=500)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("council event")
        verbose_name_plural = _("council events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.note


class PeriodicRun(models.Model):
    """One run of a periodic (beat) task in one period: the unique pair is the claim that lets two beat
    processes run side by side without running anything twice (buildings/periodic.py)."""

    task = models.CharField(_("task"), max_length=200)
    period_start = models.DateTimeField(_("period start"))
    claimed_at = models.DateTimeField(_("claimed at"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        constraints = [models.UniqueConstraint(fields=["task", "period_start"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.task} @ {self.period_start:%Y-%m-%d %H:%M:%S}"
