from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsTrackerConfig(AppConfig):
    name = "requests_tracker"
    verbose_name = _("Demands")

    def ready(self) -> None:
        # The after-change path (requests_tracker.changes): what follows every demand write, in order.
        from django.db.models.signals import post_delete, post_save

        from buildings import panels
        from buildings.models import Building

        # The Celery tasks are registered in every process, the web included: the outbox hands its rows
        # to `deliver_notification` by name (Celery's autodiscovery imports them only in a worker).
        from . import (
            changes,
            figures,
            notifications,
            screen,
            stats,
            tasks,  # noqa: F401
        )

        changes.subscribe("screens", screen.on_change)
        changes.subscribe("notifications", notifications.on_change)
        changes.subscribe("stats-page", stats.page_cache_on_change)  # the cached figures move on, after commit
        # The tallies and rollups last of these (one statement): their upsert locks the building's rows
        # (status, month, category, histogram bucket) until commit,
        # and every submission to the building waits for that lock — it should not be held while the
        # outbox reads the captains and renders their mail (#15).
        changes.subscribe("tallies", stats.on_change)
        # News about demands that does not change them (a project answering them moved): the outbox tells
        # their submitters and supporters. Features call changes.tell_followers; none imports notifications.
        changes.on_news("notifications", notifications.on_news)
        # …and news too big for a request (a project's 2,000 supporters) is promised, then written by a worker.
        changes.on_news_later("notifications", notifications.on_news_later)
        # Surveys, elections, projects touch a building's screens too, without a demand changing.
        panels.on_touch("screens", screen.panels_touched)
        # The screens, the board and the API's list find a building by its slug from the cache.
        post_save.connect(screen.feed.building_written, sender=Building, dispatch_uid="screen-slug-save")
        post_delete.connect(screen.feed.building_written, sender=Building, dispatch_uid="screen-slug-delete")
        # A feature's figures on the statistics page moved (projects by status): the cached pages move on.
        figures.on_area_figures_changed("stats-page", stats.page_cache_on_area_figures)
        # The statistics keep each reader's reach: writes to users, tokens, staff, seats and places move it.
        stats.generations.connect()
