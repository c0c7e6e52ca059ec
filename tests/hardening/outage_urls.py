"""A urlconf for the handler500 test: the project's, plus views that fail."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from lousihui.urls import handler500
from lousihui.urls import urlpatterns as project_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("api/v1/crash/", crash),
    path("crash/", crash),
    path("api/v1/database-down/", database_down),
    path("database-down/", database_down),
    *project_urlpatterns,
]
