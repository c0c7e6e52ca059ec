"""Answers for when the server cannot do its job (#14 item 2).

A database that is down or restarting is not a bug in the page: the answer is a fast 503 with a reason
and a Retry-After, JSON `{"detail": ...}` under /api/ and a page elsewhere, not a 500 with a traceback.
`DatabaseOutageMiddleware` turns a view's database connection error into that answer (also with DEBUG
on); `handler500` answers every other uncaught error the same way (a 503 for the database, a 500
otherwise) once DEBUG is off — for /api/ always as JSON.

Nothing is half-written: every write is one transaction (actions are `@transaction.atomic`), and a
connection that breaks in the middle of one rolls it back in PostgreSQL. Workers recover on their own:
CONN_HEALTH_CHECKS (settings) makes each request check its persistent connection before use and open
a new one when PostgreSQL is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Seconds a client is told to wait before trying again (a PostgreSQL restart takes a few).
RETRY_AFTER = 10
API_PREFIX = "/api/"


def is_database_outage(exc: BaseException | None) -> bool:
    """The database cannot be reached or dropped the connection (not a query the database refused)."""
    return isinstance(exc, OperationalError | InterfaceError)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database is unavailable; try again shortly."""
    reason = _("The database is temporarily unavailable. Please try again in a moment.")
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse({"detail": reason, "code": "database_unavailable"}, status=503)
    else:
        # No request context: its processors (the user, messages) would ask the database that is down.
        html = loader.render_to_string("503.html", {"reason": reason, "retry_after": RETRY_AFTER})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """500 for every other uncaught error: JSON under /api/, Django's plain page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": _("Server error. It has been logged; please try again later.")}, status=500)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


def handler500(request: HttpRequest) -> HttpResponse:
    """The project's handler500 (lousihui/urls.py)."""
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return server_error(request)


class DatabaseOutageMiddleware:
    """A view that hits a database outage answers 503 at once (with DEBUG on too, unlike handler500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)
