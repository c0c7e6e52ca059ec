"""Demands and their life: categories, demands and the timeline of events."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import BilingualName, Building, Company, CouncilMember
from services.models import Department

from ..workflow import Outcome, Status


class Category(BilingualName):
    """What a demand is about; says which department usually handles it and how fast."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("An emoji shown on the form."))
    description = models.CharField(_("description"), max_length=300, blank=True)
    default_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_for_categories",
        verbose_name=_("default department"),
    )
    target_days = models.PositiveSmallIntegerField(
        _("target days"), default=7, help_text=_("Days from submission within which it should be resolved.")
    )
    is_company_affair = models.BooleanField(
        _("company development"),
        default=False,
        help_text=_("Expansion, funding programmes, talent policies: the economic captain's field."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]


def new_tracking_token() -> str:
    # 128 bits from the OS's CSPRNG: not guessable, not enumerable.
    return secrets.token_urlsafe(16)


class Demand(models.Model):
    """需求 / 诉求 / 建议: something a resident or company asks of the building's council."""

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        API = "api", _("API")
        MINI_PROGRAM = "mini_program", _("mini-program")
        STATION = "station", _("at the service station")
        PHONE = "phone", _("phone")
        #: A free-text survey answer the council turned into a demand (requests_tracker.surveys).
        SURVEY = "survey", _("survey suggestion")
        #: A request made through a form of the service hall (办事大厅).
        HALL = "hall", _("service hall")

    class Kind(models.TextChoices):
        DEMAND = "demand", _("demand")
        #: 你问我答: a question; its resolution note is the public answer.
        QUESTION = "question", _("question")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEMAND)
    # No index of its own: the building is the first column of four indexes below (#15, migration 0016).
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="demands", verbose_name=_("building"), db_index=False
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="demands", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demands",
        verbose_name=_("company"),
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)

    # Private: never shown to the public, only to those handling the demand.
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_demands",
        verbose_name=_("submitted by"),
    )

    is_public = models.BooleanField(
        _("shown publicly"), default=True, help_text=_("On the building's public board and live screen.")
    )
    show_company = models.BooleanField(
        _("company shown publicly"),
        default=False,
        help_text=_("The submitter allowed their company's name on public pages; otherwise “某企业员工”."),
    )
    is_hidden = models.BooleanField(
        _("hidden by a moderator"), default=False, help_text=_("Hidden from every public page and screen.")
    )
    support_count = models.PositiveIntegerField(
        _("supports"), default=0, help_text=_("How many people said “me too” (附议).")
    )

    # Indexed by `demand_status` (Meta): a plain B-tree, without the `varchar_pattern_ops` copy that
    # db_index=True adds for LIKE, which nothing asks of a status (#15, migration 0016).
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Bumped by every transition (compare-and-set).")
    )
    assignee_member = models.ForeignKey(
        CouncilMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_demands",
        verbose_name=_("assigned council member"),
    )
    assignee_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_demands",
        verbose_name=_("assigned department"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        help_text=_("Set when this demand was merged into another one."),
    )
    resolution_note = models.TextField(_("public resolution note"), blank=True)

    # Unique, looked up by equality only: migration 0016 drops the LIKE copy of the index (`_like`) that
    # Django adds beside every unique or indexed CharField on PostgreSQL; so for `submission_key`.
    token = models.CharField(
        _("tracking token"), max_length=32, unique=True, default=new_tracking_token, editable=False
    )
    # The form's one-time key: a double tap on "submit" finds the demand the first tap created.
    submission_key = models.CharField(
        _("submission key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("first assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last activity"), db_index=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status"], name="demand_status"),
            # A building's screen stamp (screen/feed.py `_digest`: counts, the latest update, the sums of
            # versions and supports) as an index-only scan: at 1,000,000 demands a building's rows lie on
            # ~330 heap pages, read from disk when cold (0.6 s), where these few index pages suffice.
            models.Index(
                fields=["building"],
                include=["id", "is_public", "is_hidden", "show_company", "updated_at", "version", "support_count"],
                name="demand_screen_stamp",
            ),
            models.Index(fields=["building", "status"], name="demand_building_status"),
            models.Index(fields=["building", "-submitted_at"], name="demand_building_recent"),
            # Every column the statistics read, so the district figures are index-only scans over the
            # district's buildings on PostgreSQL (see requests_tracker/stats/ and bench/stats.py).
            models.Index(
                fields=["building", "submitted_at"],
                include=[
                    "id",  # COUNT("id") in selectors.demand_figures: without it, every count reads the table
                    "status",
                    "outcome",
                    "category",
                    "assignee_department",
                    "assigned_at",
                    "resolved_at",
                    "due_at",
                ],
                name="demand_stats_cover",
            ),
            # Open demands by due date: the "overdue" figure counts a few index entries per building; with
            # the department and submission time, the statistics' departments are an index-only scan too.
            models.Index(
                fields=["building", "due_at"],
                include=["assignee_department", "submitted_at", "status"],
                condition=~models.Q(status="resolved"),
                name="demand_open_due",
            ),
            # The few demands the public list leaves out (private, hidden): the public count is the
            # maintained tallies' total less these (selectors.public_count), not a count of every row.
            models.Index(
                fields=["status"],
                condition=models.Q(is_public=False) | models.Q(is_hidden=True),
                name="demand_not_public",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(outcome=""),
                name="demand_resolved_has_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted")
                | models.Q(assignee_member__isnull=False)
                | models.Q(assignee_department__isnull=False)
                | models.Q(status="resolved"),
                name="demand_assigned_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def assignee(self) -> CouncilMember | Department | None:
        return self.assignee_member or self.assignee_department

    @property
    def is_open(self) -> bool:
        return self.status != Status.RESOLVED

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < now

    def age(self, now: datetime) -> timedelta:
        return (self.resolved_at or now) - self.submitted_at


class DemandTally(models.Model):
    """A maintained counter: how many demands of a building are in each (status, outcome).

    Written only by `stats.on_change`, the after-change subscriber the actions reach in the same
    transaction as the change; read by the district statistics, so a district's headline figures sum a few hundred rows
    instead of counting its demands. A randomized test proves it always equals a recount;
    `stats.rebuild_tallies()` recomputes it from the demands (migration, bulk loads).
    """

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    n = models.IntegerField(_("demands"), default=0)

    class Meta:
        verbose_name = _("demand tally")
        verbose_name_plural = _("demand tallies")
        constraints = [
            models.UniqueConstraint(fields=["building", "status", "outcome"], name="demand_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.status} {self.outcome}: {self.n}"


class DemandEvent(models.Model):
    """One step on a demand's timeline, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ASSIGNED = "assigned", _("assigned")
        STARTED = "started", _("work started")
        RESOLVED = "resolved", _("resolved")
        REOPENED = "reopened", _("reopened")
        HANDED_BACK = "handed_back", _("handed back to the council")
        MERGED = "merged", _("merged")
        MODERATED = "moderated", _("edited by a moderator")
        NOTE = "note", _("note")
        #: The submitter says the resolution did not solve it ("Not solved?"); the captain may reopen.
        NOT_SOLVED = "not_solved", _("reported not solved")
        #: The council edited what the demand says or where it belongs (`demand_edit`).
        EDITED = "edited", _("edited")
        #: A project of the three lists took the demand up, or let it go.
        PROJECT_LINKED = "project_linked", _("taken up by a project")
        PROJECT_UNLINKED = "project_unlinked", _("no longer part of a project")
        #: A survey answer prompted the demand, or a survey was linked to it.
        SURVEY_LINKED = "survey_linked", _("linked to a survey")
        #: The submitter's contact details were erased (retention period over, or the submitter asked).
        CONTACT_ERASED = "contact_erased", _("contact details erased")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events", verbose_name=_("demand"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demand_events",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        _("shown as"),
        max_length=200,
        blank=True,
        help_text=_("How the actor is named on the public timeline, e.g. “上海中心大厦楼事会”."),
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.demand_id}"


class Support(models.Model):
    """附议 / +1: one per person — per signed-in user, otherwise per browser (a hashed cookie id)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="supports", verbose_name=_("demand"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supports",
        verbose_name=_("user"),
    )
    client_key = models.CharField(
        _("browser key"), max_length=64, blank=True, help_text=_("A hash identifying an anonymous browser.")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "user"], condition=models.Q(user__isnull=False), name="support_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["demand", "client_key"],
                condition=~models.Q(client_key=""),
                name="support_once_per_browser",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(client_key=""), name="support_has_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"+1 · {self.demand_id}"


def _photo_name(instance: "DemandPhoto", filename: str) -> str:
    # Never the uploader's name: a random one, under a folder per month.
    return f"demand-photos/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}.jpg"


class DemandPhoto(models.Model):
    """A photo attached to a demand: re-encoded as JPEG with its metadata (EXIF, GPS) stripped."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="photos", verbose_name=_("demand"))
    image = models.FileField(_("image"), upload_to=_photo_name, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["demand", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} · {self.demand_id}"


class DemandRevision(models.Model):
    """What a moderator changed on a demand's public text or visibility: the original is kept here."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("demand"))
    title = models.CharField(_("original title"), max_length=120)
    description = models.TextField(_("original description"), blank=True)
    was_hidden = models.BooleanField(_("was hidden"), default=False)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demand_revisions",
        verbose_name=_("moderator"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation record")
        verbose_name_plural = _("moderation records")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.demand_id} · {self.reason}"


class ResponseTemplate(models.Model):
    """A ready-made reply a captain can start from (per category, or for every category)."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        verbose_name=_("category"),
        help_text=_("Leave empty to offer it for every category."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["category_id", "title"]

    def __str__(self) -> str:
        return self.title
