from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "buildings.elections"
    label = "elections"
    verbose_name = _("Council elections")

    def ready(self) -> None:
        from buildings import panels

        from . import board

        panels.register_board_section("elections", board.board_section)
        panels.register_screen_panel("elections", board.screen_panels)
