"""The site's URLs plus a bare view: the baseline every benchmark is measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok":true}', content_type="application/json")


def stats_after_change(request: HttpRequest) -> HttpResponse:
    """/api/v1/stats/ as the first reader after a demand changed status sees it: the figures'
    generation moves (as after any committed status change, in this worker's cache: a submission, an
    assignment, a resolution), and so does the changed building's token of the cached rollup sums
    (stats/partials.py); then the stats view answers the same request (bench.stats' "first request
    after a change" row). The projects' section, which a status change does not move, stays
    cached; `stats_after_project_change` moves it too."""
    from requests_tracker.stats import partials
    from requests_tracker.stats.cached import figures_moved
    from requests_tracker.stats.views import StatsView

    # Outside a transaction: at once. The changed demand's building (in the district the row reads) has
    # its rollups summed again, the rest of the district's from the cache.
    partials.buildings_changed([_changed_building()])
    figures_moved()
    return StatsView.as_view()(request)  # type: ignore[no-any-return]


def _changed_building() -> int:
    """The building whose demand "changed" for the after-change row: bench-b00000, in bench-d01."""
    global _CHANGED
    if _CHANGED is None:
        from buildings.models import Building

        _CHANGED = Building.objects.get(slug="bench-b00000").pk
    return _CHANGED


_CHANGED: int | None = None


def stats_after_project_change(request: HttpRequest) -> HttpResponse:
    """The same after a project moved (created, paused, done, a demand linked): every figure and the
    projects' section are computed again."""
    from requests_tracker import figures
    from requests_tracker.stats.views import StatsView

    figures.area_figures_changed()
    return StatsView.as_view()(request)  # type: ignore[no-any-return]


def plain_create_view() -> object:
    """The issue's reference for a submission (#15: "a plain DRF create of one row"): a ModelSerializer
    of three fields, one of them a foreign key by slug, saved by DRF's CreateAPIView — no transaction
    of its own, no event, no tallies, no outbox, no throttle, under the same middleware."""
    from rest_framework import generics, permissions, serializers

    from requests_tracker.models import Category, ResponseTemplate

    class PlainSerializer(serializers.ModelSerializer):
        category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())

        class Meta:
            model = ResponseTemplate
            fields = ["id", "category", "title", "body"]

    class PlainCreate(generics.CreateAPIView):
        serializer_class = PlainSerializer
        permission_classes = [permissions.AllowAny]

    return PlainCreate.as_view()


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/plain-create/", plain_create_view()),
    path("bench/stats-after-change/", stats_after_change),
    path("bench/stats-after-project-change/", stats_after_project_change),
    path("", include("lousihui.urls")),
]
