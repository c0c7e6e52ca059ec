"""Council elections (楼事会选举): an election, its candidates, the roll of electors, the ballots.

Secrecy by design. The roll (`Elector`) says who has voted; the ballot box (`Ballot`) holds what was
voted. Nothing joins them: a ballot has a random UUID as its key, the election, the sorted candidate
ids and a hash of the receipt — no reference to the elector or the code, no timestamp, no serial
number that orders ballots by when they were cast. At close the ballots are rewritten in a random
order under one transaction (see `actions.election_close`), so not even PostgreSQL's system columns
(xmin, ctid) link a ballot to the moment its elector was marked.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Company, CouncilMember


class Election(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        VOTING = "voting", _("voting")
        CLOSED = "closed", _("closed")
        CERTIFIED = "certified", _("certified")
        VOID = "void", _("void")

    key = models.SlugField(_("key"), max_length=24, unique=True)
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="elections", verbose_name=_("building")
    )
    title = models.CharField(_("title"), max_length=200)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    role = models.CharField(
        _("role of the elected"),
        max_length=40,
        choices=CouncilMember.Role.choices,
        default=CouncilMember.Role.EMPLOYEE_REPRESENTATIVE,
    )
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=3)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    min_turnout_percent = models.PositiveSmallIntegerField(
        _("minimum turnout (%)"), default=0, help_text=_("Below this share of the roll the election is void.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    #: Candidates are shown in one random order, the same for everyone, derived from this seed.
    order_seed = models.CharField(_("order seed"), max_length=32, editable=False)
    void_reason = models.CharField(_("why void"), max_length=300, blank=True)
    #: Ties at the last seat: the lot drawn by the council, as candidate ids in the order drawn.
    lot_order = models.JSONField(_("lot drawn"), default=list, blank=True)
    lot_note = models.CharField(_("how the lot was drawn"), max_length=300, blank=True)
    # Paper ballots: totals per candidate entered by one council member, confirmed by a second.
    paper_totals = models.JSONField(_("paper totals"), default=dict, blank=True)
    paper_entered_by = models.ForeignKey(
        CouncilMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paper totals entered by"),
    )
    paper_confirmed_by = models.ForeignKey(
        CouncilMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paper totals confirmed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    certified_at = models.DateTimeField(_("certified"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The council seats whose term certification ended (their seats were up).
    ended_members = models.ManyToManyField(CouncilMember, blank=True, related_name="+", editable=False)

    class Meta:
        verbose_name = _("council election")
        verbose_name_plural = _("council elections")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="election_closes_after"
            ),
            models.CheckConstraint(condition=models.Q(min_turnout_percent__lte=100), name="election_turnout_percent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def results_public(self) -> bool:
        """The embargo: counts exist for nobody until voting has closed."""
        return (
            self.status in (self.Status.CLOSED, self.Status.CERTIFIED, self.Status.VOID) and self.closed_at is not None
        )

    def candidate_rank(self, candidate_id: int) -> str:
        return hashlib.sha256(f"{self.order_seed}:{candidate_id}".encode()).hexdigest()


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    statement = models.TextField(_("statement"), max_length=1000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="elections/candidates/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Elector(models.Model):
    """One line of the roll: who may vote, whether they have (and how), and the hash of their code."""

    class Voted(models.TextChoices):
        NO = "", _("not yet")
        ONLINE = "online", _("online")
        PAPER = "paper", _("on paper")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="electors")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Empty for an anonymous code."))
    ref = models.CharField(_("employee reference"), max_length=64)
    #: HMAC of the voting code; the code itself is never stored once it has been handed out.
    code_hash = models.CharField(max_length=64, unique=True)
    voted = models.CharField(_("voted"), max_length=10, choices=Voted.choices, default=Voted.NO, blank=True)

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        ordering = ["company_id", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["election", "company", "ref"], name="elector_ref_unique_per_company"),
        ]

    def __str__(self) -> str:
        return self.name or self.ref


class RevokedCode(models.Model):
    """A code that was reissued: it stops working, and says so (409), rather than looking unknown."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return "revoked code"


class CodeBatch(models.Model):
    """Codes issued together, held in clear only until their one download (CSV, XLSX or printed slips)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="code_batches")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    size = models.PositiveIntegerField(default=0)
    #: [[company, ref, name, code], ...] until downloaded; emptied by the download.
    codes = models.JSONField(default=list, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"codes #{self.pk} ({self.size})"


class Ballot(models.Model):
    """What was voted, and nothing that says by whom or when (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    #: Candidate ids, sorted (the order the voter ticked them in is not kept).
    choices = models.JSONField(default=list)
    receipt_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        # No default ordering: there is nothing meaningful to order ballots by, on purpose.

    def __str__(self) -> str:
        return "ballot"
