"""The site's URLs plus a bare view: the baseline every benchmark is measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("lousihui.urls")),
]
