"""The statistics' maintained rollups (#15), beside `DemandTally`: per building, the counts the district
page's monthly trend, categories and percentiles read, so a district sums a few thousand rows instead
of reading its demands.

Written only by the after-change subscriber `stats.tallies.on_change`, in the same transaction as the
change (one statement with the tallies); recomputed by `stats.rebuild_tallies()` (the
`rebuild_tallies` command, the migration that created them, bulk loads). A property test proves the
figures served from them equal the live ones.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

from .demands import Category


class DemandMonthTally(models.Model):
    """A building's demands submitted in a calendar month (Shanghai time), and resolved in it."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"))
    month = models.DateField(_("month"))  # its first day
    received = models.IntegerField(_("received"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)

    class Meta:
        verbose_name = _("monthly demand tally")
        verbose_name_plural = _("monthly demand tallies")
        constraints = [
            # The counters in the index: a district's sum is an index-only scan.
            models.UniqueConstraint(
                fields=["building", "month"], include=["received", "resolved"], name="demand_month_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.month:%Y-%m}: {self.received}/{self.resolved}"


class DemandCategoryTally(models.Model):
    """A building's demands in a category: received, and of those resolved (as `figures` defines both)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("category"))
    received = models.IntegerField(_("received"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)

    class Meta:
        verbose_name = _("demand tally by category")
        verbose_name_plural = _("demand tallies by category")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "category"], include=["received", "resolved"], name="demand_category_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.category_id}: {self.received}/{self.resolved}"


class DemandDurationBucket(models.Model):
    """A building's duration histogram: how many demands took a time within bucket `bucket` (logarithmic,
    see `stats.histograms`) to their first assignment or to their resolution."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("first response")
        RESOLUTION = "resolution_time", _("resolution time")

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bucket = models.SmallIntegerField(_("bucket"))
    n = models.IntegerField(_("demands"), default=0)

    class Meta:
        verbose_name = _("duration histogram bucket")
        verbose_name_plural = _("duration histogram buckets")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "kind", "bucket"], include=["n"], name="demand_duration_bucket_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.kind} #{self.bucket}: {self.n}"
