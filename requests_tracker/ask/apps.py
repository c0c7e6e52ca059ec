from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AskConfig(AppConfig):
    name = "requests_tracker.ask"
    label = "ask"
    verbose_name = _("Ask and answer")
