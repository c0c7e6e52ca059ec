from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "requests_tracker.projects"
    label = "projects"
    verbose_name = _("Projects (three lists)")

    def ready(self) -> None:
        from buildings import panels
        from requests_tracker import changes

        from . import news
        from . import panels as project_panels

        # Updates and status changes are told to the people behind the linked demands by a worker.
        changes.news_source(news.KIND, news.build, news.told)

        # The board's projects section, the lobby screen's and the area screens' projects panels.
        panels.register_board_section("projects", project_panels.board_section)
        panels.register_screen_panel("projects", project_panels.screen_panels)
        panels.register_area_panel("projects", project_panels.area_panels)
        # The projects' figures on the district statistics page, its API and exports.
        from requests_tracker import figures

        from . import selectors

        # They read the projects, their links and the demands' buildings (and submission times), never a
        # demand's status: moved by a move, a link or unlink, a deletion (and by `_project_moved`).
        figures.register_area_figures(
            "projects", selectors.stats_section, demand_fields=frozenset({"building", "link", "deleted"})
        )
        # A box on a demand's tracking and public pages: the projects it is part of.
        panels.register_demand_section("projects", project_panels.demand_section)
