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
    path("", include("lousihui.urls")),
]
