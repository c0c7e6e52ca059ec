"""The access log of personal data: each time a handler had a demand's contact details shown in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

from .demands import Demand


class ContactReveal(models.Model):
    """Who had whose contact details shown, and when (written by `actions.contact_reveal`, never edited).

    The demand and the user are copied as plain values too, so the log outlives either of them.
    """

    revealed_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shown to"),
    )
    username = models.CharField(_("account"), max_length=150)
    demand = models.ForeignKey(
        Demand, on_delete=models.SET_NULL, null=True, related_name="contact_reveals", verbose_name=_("demand")
    )
    demand_number = models.PositiveBigIntegerField(_("demand no."))
    # The district's staff read the log of their district's buildings: kept even if the demand goes.
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("building")
    )
    fields = models.JSONField(_("fields shown"), default=list)

    class Meta:
        verbose_name = _("contact details shown")
        verbose_name_plural = _("contact details access log")
        ordering = ["-revealed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} → #{self.demand_number} · {self.revealed_at:%Y-%m-%d %H:%M}"
