from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "requests_tracker.search"
    label = "search"
    verbose_name = _("Case look-up")

    def ready(self) -> None:
        # Kept current by the after-change path (demands) and the guide's own hook (matters).
        from buildings import panels
        from requests_tracker import changes
        from services.guide import changes as guide_changes

        from . import indexing, sections

        changes.subscribe("search", indexing.on_change)
        guide_changes.subscribe("search", indexing.index_matter)
        # The tracking page links the guide matters of the demand's category.
        panels.register_demand_section("guide", sections.demand_section)
