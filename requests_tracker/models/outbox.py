"""The notification outbox: one row per message, written in the same transaction as its cause.

A row is claimed by a conditional UPDATE before it is sent, so two workers never send the same
message; every try leaves a DeliveryAttempt; a final failure keeps its reason for the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models import Council
from services.models import Department


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("group robot (webhook)")


class WebhookEndpoint(models.Model):
    """A WeCom (企业微信) or DingTalk (钉钉) group robot of one council or one department."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")

    name = models.CharField(_("name"), max_length=100, help_text=_("For example “楼事会工作群”."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WECOM)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk robots with “加签” security: the SEC… secret. Leave empty otherwise."),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("council"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("department"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(council__isnull=True, department__isnull=False)
                | models.Q(council__isnull=False, department__isnull=True),
                name="webhook_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChannelOptOut(models.Model):
    """A user who asked not to be told through a channel."""

    channel = models.CharField(_("delivery channel"), max_length=20, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification opt-out")
        verbose_name_plural = _("notification opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="optout_once_per_user")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.user}"


class SubmitterPreference(models.Model):
    """What the submitter of one demand chose: the language to write to them in, and whether to at all.

    Submitters need no account; they reach this through the demand's tracking token.
    """

    demand = models.OneToOneField(
        "requests_tracker.Demand",
        on_delete=models.CASCADE,
        related_name="submitter_preference",
        verbose_name=_("demand"),
    )
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    email_opted_out = models.BooleanField(_("no e-mail"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("submitter preference")
        verbose_name_plural = _("submitter preferences")

    def __str__(self) -> str:
        return f"#{self.demand_id}"


class Notification(models.Model):
    """One message to one recipient through one channel: the outbox row."""

    class Kind(models.TextChoices):
        NEW_DEMAND = "new_demand", _("new demand")
        ASSIGNED = "assigned", _("assigned to you")
        PROGRESS = "progress", _("progress for the submitter")
        REOPENED = "reopened", _("reopened")
        NOT_SOLVED = "not_solved", _("reported not solved")
        HANDED_BACK = "handed_back", _("handed back to the council")
        ESCALATION = "escalation", _("overdue escalation")
        DAILY_DIGEST = "daily_digest", _("daily digest")
        WEEKLY_FIGURES = "weekly_figures", _("weekly figures")
        #: A project answering the demand moved (the three lists): for its submitters and supporters.
        PROJECT_UPDATE = "project_update", _("project update")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("delivery channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    demand = models.ForeignKey(
        "requests_tracker.Demand",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("demand"),
    )
    event = models.ForeignKey(
        "requests_tracker.DemandEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("event"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    address = models.EmailField(_("e-mail address"), blank=True)
    webhook = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("group robot"),
    )
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    #: Makes "at most once" a database guarantee for messages that must not repeat (ladder steps, digests).
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), help_text=_("Raised by the admin's “retry” action for another round.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(
        _("claimed until"), null=True, blank=True, help_text=_("A worker that dies while sending loses its claim then.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper's scan: only unfinished rows, by when they are due.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notification_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(channel="email") & ~models.Q(address=""))
                | (models.Q(channel="webhook") & models.Q(address="")),
                name="notification_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.destination}"

    @property
    def destination(self) -> str:
        if self.channel == Channel.EMAIL:
            return self.address
        return str(self.webhook) if self.webhook_id else "—"


class DeliveryAttempt(models.Model):
    """One try at sending a notification, with what came back."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts", verbose_name=_("notification")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["notification", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "number"], name="attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.notification_id} · {self.number}"


class Escalation(models.Model):
    """A step of the overdue ladder that has fired for a demand; unique, so each step fires once."""

    demand = models.ForeignKey(
        "requests_tracker.Demand", on_delete=models.CASCADE, related_name="escalations", verbose_name=_("demand")
    )
    step = models.PositiveSmallIntegerField(_("step"))
    level = models.CharField(_("level"), max_length=30)
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["demand", "step"]
        constraints = [models.UniqueConstraint(fields=["demand", "step"], name="escalation_step_once")]

    def __str__(self) -> str:
        return f"#{self.demand_id} · {self.step} · {self.level}"


class NewsFanout(models.Model):
    """News promised in a request and written out, one outbox row per person, by a worker.

    A project update reaches everyone behind its linked demands: thousands of rows. The request
    writes this one row (unique per news, so promising twice is a no-op) and publishes a task after
    commit; the worker builds the news from its source (`changes.news_source`) and writes the rows in
    one transaction with `done_at`. The sweeper re-publishes a fan-out nobody ran (the broker was down).
    """

    kind = models.CharField(_("kind"), max_length=40)
    ref = models.CharField(_("reference"), max_length=100)
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    told = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        verbose_name = _("news fan-out")
        verbose_name_plural = _("news fan-outs")
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="news_fanout_once")]
        indexes = [models.Index(fields=["created_at"], condition=models.Q(done_at=None), name="news_fanout_pending")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"
