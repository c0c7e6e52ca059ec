from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsTrackerConfig(AppConfig):
    name = "requests_tracker"
    verbose_name = _("Demands")
