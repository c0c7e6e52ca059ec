"""The site's URLs plus a bare view: the baseline every benchmark is measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok":true}', content_type="application/json")


def stats_after_change(request: HttpRequest) -> HttpResponse:
    """/api/v1/stats/ as the first reader after a change sees it: the statistics generation moves (as
    after any committed demand change, in this worker's cache), then the stats view answers the same
    request (bench.stats' "first request after a change" row)."""
    from requests_tracker import figures
    from requests_tracker.stats.views import StatsView

    figures.area_figures_changed()  # outside a transaction: the generation moves at once
    return StatsView.as_view()(request)  # type: ignore[no-any-return]


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/stats-after-change/", stats_after_change),
    path("", include("lousihui.urls")),
]
