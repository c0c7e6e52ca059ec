from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import healthz

# Uncaught errors: a 503 with a reason when the database is down, JSON under /api/ (lousihui/outage.py).
handler500 = "lousihui.outage.handler500"

admin.site.site_header = _("Lousihui · building councils")
admin.site.site_title = _("Lousihui admin")
admin.site.index_title = _("Council work")

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("lousihui.api_urls")),
    path("", include("buildings.elections.urls")),
    path("", include("requests_tracker.notifications.urls")),
    path("", include("requests_tracker.surveys.urls")),
    path("", include("services.resources.urls")),
    path("", include("requests_tracker.projects.urls")),
    path("", include("requests_tracker.urls")),
    path("", include("services.guide.urls")),
    path("", include("requests_tracker.ask.urls")),
    path("", include("requests_tracker.hall.urls")),
    path("", include("requests_tracker.search.urls")),
]

# Under /api/ a path that matches nothing is a JSON 404 too (the schema documents it); pages keep Django's.
handler404 = "lousihui.views.not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
