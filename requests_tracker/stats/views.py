"""The district statistics: the page, its exports, the monthly report and the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buildings.api_fields import SLUG_PATTERN
from buildings.exports import csv_response, xlsx_response
from buildings.models import District

from .. import access, selectors
from . import warm
from .cached import (
    answer_key,
    current_generation,
    expiry,
    figures_for,
    figures_for_buildings,
    keep_answer,
    read_answer,
    sections_for,
)
from .compute import compute, headline_for, headline_from_tallies
from .exports import figure_export, row_export
from .filters import StatsFilterForm, buildings_for_stats, in_calendar
from .served import compute_for


def _page_access(request: HttpRequest) -> selectors.ActorScope:
    if not request.user.is_authenticated:
        raise _LoginRequired
    scope = selectors.actor_scope(request.user)  # type: ignore[arg-type]
    if not access.can_read_stats(scope):
        raise PermissionDenied(_("The statistics are for district staff and building captains."))
    return scope


class _LoginRequired(Exception):
    pass


def _guarded(view):  # type: ignore[no-untyped-def]
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _districts(scope: selectors.ActorScope) -> QuerySet[District]:
    qs = District.objects.order_by("slug")
    return qs if scope.is_superuser else qs.filter(id__in=scope.district_ids)


def _feature_figures(form: StatsFilterForm, scope: selectors.ActorScope) -> list[dict[str, Any]]:
    """The feature packages' figures (figures.register_area_figures) for the buildings the filters chose,
    cached under their own generation (`cached.sections_for`)."""
    return sections_for(form.building_ids(scope))


@require_GET
@_guarded
def stats_page(request: HttpRequest) -> HttpResponse:
    """/stats/: the figures with their definitions, ECharts charts, exports; prints on A4."""
    scope = _page_access(request)
    form = StatsFilterForm(request.GET or None)
    data = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        if not form.is_bound:
            form.is_valid()  # an unbound form: no filters
            form.cleaned_data = {}
        # Cached per filter set, moved on by every demand change; `generated_at` is the "as of" time.
        data = {**figures_for(form, scope)}
        data["sections"] = _feature_figures(form, scope)
        status = 200
    return render(
        request,
        "stats/stats.html",
        {
            "form": form,
            "data": data,
            "query": request.GET.urlencode(),
            "districts": _districts(scope),
            "buildings": buildings_for_stats(scope).order_by("slug").only("slug", "name", "name_en")[:500],
        },
        status=status,
    )


@require_GET
@_guarded
def stats_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """/stats/export.csv|xlsx?what=figures|rows&…filters: the figures or the underlying rows in scope."""
    scope = _page_access(request)
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(_("Export as csv or xlsx."), status=404, content_type="text/plain; charset=utf-8")
    form = StatsFilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    qs = form.demands(scope)
    what = request.GET.get("what", "figures")
    stamp = timezone.localdate().isoformat()
    if what == "rows":
        headers, rows = row_export(qs)
        name = f"lousihui-demands-{stamp}.{fmt}"
        sheet = _("demands")
    else:
        data = compute_for(form, scope, now=timezone.now())
        data["sections"] = _feature_figures(form, scope)
        headers, rows = figure_export(data)
        name = f"lousihui-figures-{stamp}.{fmt}"
        sheet = _("figures")
    if fmt == "csv":
        return csv_response(name, headers, rows)
    return xlsx_response(name, headers, rows, sheet_title=str(sheet))


@require_GET
@_guarded
def monthly_report(request: HttpRequest) -> HttpResponse:
    """/stats/report/?district=<slug>&month=YYYY-MM: a district's month on one A4 page, for printing."""
    scope = _page_access(request)
    districts = _districts(scope)
    district = districts.filter(slug=request.GET.get("district", "")).first() or (
        districts.first() if request.GET.get("district") is None else None
    )
    if district is None:
        raise PermissionDenied(_("Choose a district you may read."))
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
        in_calendar(first)
    except (TypeError, ValueError, ValidationError):
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month by default
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    form = StatsFilterForm({"district": district.slug, "since": first, "until": last})
    form.is_valid()
    data = compute(form.demands(scope), top=15, head=headline_for(form, scope))
    return render(
        request,
        "stats/report.html",
        {"district": district, "first": first, "last": last, "data": data, "today": today},
    )


class StatsView(APIView):
    """GET /api/v1/stats/: the same figures as /stats/, for district staff (their districts),
    captains (their buildings) and superusers; filters district, subdistrict, building, category,
    since, until (YYYY-MM-DD). `?only=figures` answers the headline figures alone (one query), which is
    what a dashboard tile or the district's landing page needs."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A warm answer before DRF's request wrapping, authentication and negotiation (#15).
        if request.method == "GET":
            answer = _warm_answer(request)
            if answer is not None:
                return answer
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            *(
                OpenApiParameter(name, str, required=False, pattern=f"^{SLUG_PATTERN}$")
                for name in ("district", "subdistrict", "building", "category")
            ),
            OpenApiParameter("since", OpenApiTypes.DATE, required=False, description="From this day (YYYY-MM-DD)."),
            OpenApiParameter("until", OpenApiTypes.DATE, required=False, description="To this day (YYYY-MM-DD)."),
            OpenApiParameter(
                "only", str, required=False, enum=["figures"], description="`figures`: the headline figures alone."
            ),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> HttpResponse:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        scope = selectors.actor_scope(request.user)  # type: ignore[arg-type]
        if not access.can_read_stats(scope):
            raise ApiPermissionDenied(_("The statistics are for district staff and building captains."))
        form = StatsFilterForm(request.query_params)
        if not form.is_valid():
            raise ApiValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        only = request.query_params.get("only", "")
        if only not in ("", "figures"):
            raise ApiValidationError({"only": [_("Use only=figures, or leave it out for every figure.")]})
        generation = current_generation()  # before computing: a change meanwhile moves it on
        now = timezone.now()
        if only:
            data = headline_for(form, scope, now=now)
        else:
            data = {**figures_for(form, scope, now=now)}
            data["sections"] = _feature_figures(form, scope)
        if not isinstance(request.accepted_renderer, JSONRenderer) or request.accepted_media_type != "application/json":
            return Response(data)  # the browsable API, or JSON with parameters (indent): not kept
        body = JSONRenderer().render(data, "application/json", {})
        # The reach `_warm_answer` read before missing (or, for a request it did not look at, read now).
        read = getattr(request._request, "_stats_reach", _UNREAD)
        reach = (
            access.stats_reach(user_id=request.user.pk, **_slugs(request.query_params))
            if read is _UNREAD
            else cast(access.StatsReach | None, read)
        )
        if reach is not None:
            keep_answer(answer_key(reach, _params(request.query_params), only), generation, body, expiry(data))
        return _json(body)


_UNREAD = object()


def _params(query: Any) -> dict[str, str]:
    return {name: query.get(name, "") for name in warm.FILTERS}


def _slugs(query: Any) -> dict[str, str]:
    return {name: query.get(name, "") for name in ("district", "subdistrict", "building")}


_json = warm.json_response


def _warm_answer(request: HttpRequest) -> HttpResponse | None:
    """This reader's answer without DRF, or None (then DRF answers, and keeps it).

    Warm: the reader's kept bytes, under the current generations of the figures and of the reach, in
    one cache round trip (`warm.look`). Otherwise the reader's reach (kept, or one query), then the
    answer another reader with the same reach left (`cached.read_answer`), else, for filters that
    choose whole buildings, the figures of the reach's buildings computed here; other filters (a
    category, dates) and anything unusual go to DRF."""
    plain = warm.plain_request(request)
    if plain is None:
        return None
    params, only = plain
    query = request.GET
    # As DRF's authentication classes, in their order: the session's user, else an API token.
    user = request.user
    if user.is_authenticated:
        who: dict[str, Any] = {"user_id": user.pk}
        identity = f"u:{user.pk}"
    else:
        words = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(words) != 2 or words[0] != "Token":
            return None
        who, identity = {"token": words[1]}, f"t:{words[1]}"
    seen = warm.look(warm.reader_key(identity, params, only))
    if seen is not None and (body := seen.body()) is not None:
        return _json(body)
    known = seen.known_reach() if seen is not None else None
    reach = known[0] if known is not None else access.stats_reach(**who, **_slugs(query))  # type: ignore[arg-type]
    request._stats_reach = reach  # type: ignore[attr-defined]  # a miss: DRF's answer is kept under it
    if seen is None:
        return None  # the cache fails: DRF computes
    if reach is None:
        warm.keep(seen, reach)
        return None  # no such reader, or nothing in reach: DRF says why
    key = answer_key(reach, params, only)
    answer = read_answer(key)
    if answer is None and not (params["category"] or params["since"] or params["until"]):
        answer = _compute(reach, key, only, seen.figures_generation)
    warm.keep(seen, reach, answer)
    return None if answer is None else _json(answer[1])


def _compute(reach: access.StatsReach, key: str, only: str, generation: int) -> tuple[int, bytes, float] | None:
    """The answer for whole buildings (the reach's), as `StatsView.get` computes it for a form that
    only chooses buildings, kept under `generation` (read before computing)."""
    ids = None if reach.building_ids is None else set(reach.building_ids)
    now = timezone.now()
    if only:
        data = headline_from_tallies(ids, now=now)
    else:
        data = {**figures_for_buildings(ids, now=now)}
        data["sections"] = sections_for(ids)
    body = JSONRenderer().render(data, "application/json", {})
    return keep_answer(key, generation, body, expiry(data)) or (generation, body, expiry(data))
