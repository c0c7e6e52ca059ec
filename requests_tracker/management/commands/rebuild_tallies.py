"""Recounts the maintained demand tallies and the statistics' rollups (monthly, by category, duration
histograms) from the demands (after a bulk load or a manual fix)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from requests_tracker.models import DemandDurationBucket, DemandTally
from requests_tracker.stats.tallies import rebuild_tallies


class Command(BaseCommand):
    help = "Recount the demand tallies and rollups behind the district statistics from the demands."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rebuild_tallies()
        self.stdout.write(
            f"{DemandTally.objects.count()} tallies and {DemandDurationBucket.objects.count()} histogram buckets"
            " recounted."
        )
