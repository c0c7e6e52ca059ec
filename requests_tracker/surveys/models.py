"""Surveys (问卷 / 意见征集): questions, anonymous responses, invitation codes, and the markers that stop a
second response.

Anonymity by design: a `Response` holds no user, no IP, no browser key and no time; its id is random
(UUID4), so its place in the table says nothing about when it came. What prevents a second response —
a used `InvitationCode`, a keyed hash of the browser in `Receipt` — lives in other tables with no
foreign key to the answers and no timestamps either, so nobody with database access can tie answers
to a code or a person.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Company, District, Subdistrict
from requests_tracker.models import Demand


def new_survey_key() -> str:
    # 96 bits from the OS's CSPRNG: the link can be shared, but not guessed or enumerated.
    return secrets.token_urlsafe(12)


class Bilingual:
    """`text` in Chinese (as written by the council), `text_en` optional; shown by the reader's language."""

    def localized(self, field: str) -> str:
        english = getattr(self, f"{field}_en", "")
        if english and (get_language() or "").startswith("en"):
            return str(english)
        return str(getattr(self, field))


class Survey(Bilingual, models.Model):
    """A questionnaire of a building's council (or of a sub-district / district for several buildings)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("results published")

    class Audience(models.TextChoices):
        OPEN = "open", _("anyone with the link (one response per browser)")
        CODE = "code", _("by invitation code (one response per code)")

    class Results(models.TextChoices):
        NEVER = "never", _("never public")
        AFTER_CLOSE = "after_close", _("public after closing")
        LIVE = "live", _("public while open")

    key = models.CharField(_("key"), max_length=24, unique=True, default=new_survey_key, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("sub-district"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("building"),
        help_text=_("Empty for a survey of the whole sub-district or district."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), max_length=4000, blank=True)
    intro_en = models.TextField(_("introduction (English)"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(_("who may answer"), max_length=10, choices=Audience.choices, default=Audience.OPEN)
    results_visibility = models.CharField(
        _("results shown publicly"), max_length=20, choices=Results.choices, default=Results.AFTER_CLOSE
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)
    response_count = models.PositiveIntegerField(_("responses"), default=0, editable=False)
    demands = models.ManyToManyField(
        Demand,
        blank=True,
        related_name="+",
        verbose_name=_("prompted by demands"),
        help_text=_("The demands that led the council to ask."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["building", "status"], name="survey_building_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(building__isnull=True) | Q(subdistrict__isnull=False),
                name="survey_building_has_subdistrict",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.localized("title")

    @property
    def intro_text(self) -> str:
        return self.localized("intro")

    @property
    def where(self) -> str:
        place = self.building or self.subdistrict or self.district
        return str(place)


class Question(Bilingual, models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RATING = "rating", _("rating 1–5")
        RANKING = "ranking", _("ranking")
        TEXT = "text", _("free text")
        HEADING = "heading", _("section heading")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE})
    OPTION_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING})

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    long_text = models.BooleanField(_("long answer"), default=False, help_text=_("For free text: several lines."))
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), null=True, blank=True)
    show_if = models.ForeignKey(
        "Option",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shown only when this option was picked"),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.localized("text")


class Option(Bilingual, models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("option"), max_length=200)
    text_en = models.CharField(_("option (English)"), max_length=200, blank=True)
    #: "Other, please say": picking it asks for a text, which goes to moderation with the free texts.
    is_other = models.BooleanField(_("“other, please say”"), default=False)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.localized("text")


class Response(models.Model):
    """One anonymous response: no user, no IP, no browser key, no time; a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    #: From the invitation code (never the code itself): for the by-company cross-filter (groups of 5+).
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey", "company"], name="response_survey_company")]

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One figure of a response, shaped so that one GROUP BY gives every question's results.

    single: (option); multiple: (option) per pick plus one (no option, no value) row meaning "answered";
    rating: (value 1–5); ranking: (option, value = rank 1..k) per option plus the "answered" row;
    text: the "answered" row (the words are in `TextAnswer`).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")  # for index-only scans
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "question", "option", "value"], name="answer_tally"),
            models.Index(fields=["response"], name="answer_response"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.value or ''}"


class TextAnswer(models.Model):
    """Free text (and "other, please say"), moderated before anyone but the council reads it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        SHOWN = "shown", _("shown")
        HIDDEN = "hidden", _("hidden")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="texts")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="texts", verbose_name=_("survey"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="texts", verbose_name=_("question"))
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("“other” option")
    )
    text = models.TextField(_("text as written"), max_length=2000)
    status = models.CharField(_("moderation"), max_length=10, choices=Status.choices, default=Status.PENDING)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    demand = models.ForeignKey(
        Demand,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made into demand"),
        editable=False,
    )

    class Meta:
        verbose_name = _("free-text answer")
        verbose_name_plural = _("free-text answers")
        ordering = ["question", "id"]
        indexes = [models.Index(fields=["survey", "question", "status"], name="textanswer_moderation")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""), name="textanswer_hidden_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class CodeBatch(models.Model):
    """Invitation codes made at once for one tenant company; the codes themselves are shown only then."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="code_batches", verbose_name=_("survey"))
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))
    count = models.PositiveIntegerField(_("codes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation code batch")
        verbose_name_plural = _("invitation code batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.company} × {self.count}"


class InvitationCode(models.Model):
    """One single-use code, stored only as a keyed hash; `used` carries no time and no link to a response."""

    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    hint = models.CharField(_("first characters"), max_length=4)
    used = models.BooleanField(_("used"), default=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        constraints = [models.UniqueConstraint(fields=["survey", "digest"], name="invitation_code_unique")]

    def __str__(self) -> str:
        return f"{self.hint}…"


class Receipt(models.Model):
    """ "This browser has answered": a keyed hash of a random browser cookie, per survey; nothing else."""

    # The digest is the key: a sequential id would record the order in which browsers answered.
    digest = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return self.digest[:8]
