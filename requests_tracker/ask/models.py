"""你问我答: questions are demands of kind *question*; here are only what the core does not keep."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_tracker.models import Demand
from services.guide.models import Matter


class Question(Demand):
    """The questions (Demand.Kind.QUESTION), for the departments' admin list; no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class QuestionVote(models.Model):
    """有用 / 没用: one per browser (a keyed hash of a cookie), per answered question."""

    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="question_votes", verbose_name=_("question")
    )
    client_key = models.CharField(_("browser key"), max_length=64)
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("answer vote")
        verbose_name_plural = _("answer votes")
        constraints = [models.UniqueConstraint(fields=["demand", "client_key"], name="question_vote_once_per_browser")]

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} · {self.demand_id}"


class PromotedAnswer(models.Model):
    """A good answer a department turned into a guide matter (once per question)."""

    demand = models.OneToOneField(
        Demand, on_delete=models.CASCADE, primary_key=True, related_name="promoted_matter", verbose_name=_("question")
    )
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+", verbose_name=_("matter"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("answer promoted to the guide")
        verbose_name_plural = _("answers promoted to the guide")

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.matter_id}"
