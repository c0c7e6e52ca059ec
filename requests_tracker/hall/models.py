"""办事大厅 requests: a demand made through a service's form, with its structured answers (never public)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_tracker.models import Category, Demand
from services.guide.models import HallService


class ServiceCategory(models.Model):
    """Which demand category a hall service's requests are filed under (Category lives in the core)."""

    service = models.OneToOneField(
        HallService, on_delete=models.CASCADE, related_name="category_link", verbose_name=_("service")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="hall_services", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return f"{self.service} → {self.category}"


class HallRequest(models.Model):
    """The answers given on a service's form, checked against its definition, linked to their demand."""

    demand = models.OneToOneField(
        Demand, on_delete=models.CASCADE, primary_key=True, related_name="hall_request", verbose_name=_("demand")
    )
    service = models.ForeignKey(
        HallService, on_delete=models.PROTECT, related_name="requests", verbose_name=_("service")
    )
    answers = models.JSONField(_("answers"), default=dict)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("hall request")
        verbose_name_plural = _("hall requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service} · #{self.demand_id}"
