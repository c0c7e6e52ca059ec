from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "requests_tracker.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The building board and the lobby screen show an open survey (with its QR code) and published results.
        from buildings import panels

        from . import boards

        panels.register_board_section("surveys", boards.board_section)
        panels.register_screen_panel("surveys", boards.screen_panels)
        panels.register_area_panel("surveys", boards.area_panels)
