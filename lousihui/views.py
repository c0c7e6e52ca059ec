import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound

from . import health

TOKEN_HEADER = "X-Healthz-Token"  # noqa: S105 - a header name, not a secret


def _has_token(request: HttpRequest) -> bool:
    expected = settings.HEALTHZ_TOKEN
    if not expected:
        return False  # no token configured: nobody sees the detail
    given = request.headers.get(TOKEN_HEADER) or request.GET.get("token") or ""
    return secrets.compare_digest(given.encode(), expected.encode())


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For docker compose and load balancers: 200 while the database answers (status "ok", or "degraded" with
    the cache, the broker or the outbox behind), 503 when it does not. The detail per component (times,
    errors, the oldest pending notification's age) only with HEALTHZ_TOKEN, as X-Healthz-Token or ?token=."""
    status, components = health.report()
    body: dict[str, object] = {"status": status}
    if _has_token(request):
        body["components"] = components
    return JsonResponse(body, status=503 if status == "error" else 200)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: under /api/ a JSON answer like the API's own 404s; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
