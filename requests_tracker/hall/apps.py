from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "requests_tracker.hall"
    label = "hall"
    verbose_name = _("Service hall requests")

    def ready(self) -> None:
        from requests_tracker import changes

        from .actions import hall_erase_answers

        # Personal data: a hall request's free-text answers are erased with the contact details.
        changes.subscribe("hall", hall_erase_answers)
