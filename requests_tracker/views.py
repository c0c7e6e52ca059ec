"""Residents' HTML pages: pick a building, submit a demand, follow it, the building's public board."""

import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildings import panels
from buildings.models import Building
from buildings.qr import qr_png, qr_svg
from buildings.selectors import districts_with_buildings
from buildings.throttling import ScopedRateThrottle

from . import actions, screen, selectors
from .intake import browser_keys
from .intake.forms import DemandSubmitForm, FollowForm, NotSolvedForm
from .intake.selectors import similar_open_demands
from .links import site_url_missing, submit_url
from .models import Category, Demand, DemandPhoto
from .privacy import masked_contacts
from .workflow import STEPS, Status


def home(request: HttpRequest) -> HttpResponse:
    # A district without an active building has nothing to pick (the buildings are prefetched: no queries).
    districts = [d for d in districts_with_buildings() if any(s.buildings.all() for s in d.subdistricts.all())]
    return render(request, "requests_tracker/home.html", {"districts": districts})


def _active_building(slug: str) -> Building:
    return get_object_or_404(Building.objects.select_related("council", "subdistrict"), slug=slug, is_active=True)


@require_http_methods(["GET", "POST"])
@browser_keys.issues_key  # the look-alikes offer +1 instead of a new demand
def demand_submit(request: HttpRequest, slug: str) -> HttpResponse:
    building = _active_building(slug)
    status = 200
    similar: list[Demand] = []
    if request.method == "POST":
        form = DemandSubmitForm(request.POST, request.FILES, building=building)
        key = request.POST.get("submission_key", "")
        # A second tap on "submit" (or a reload of the POST) lands on the demand the first one made.
        # Only a well-formed key reaches the database (PostgreSQL errors on some bytes, e.g. NUL).
        well_formed = re.fullmatch(r"[0-9a-f]{32}", key)
        earlier = Demand.objects.filter(submission_key=key, building=building).first() if well_formed else None
        if earlier is not None:
            return redirect("track", token=earlier.token)
        throttled = not form.is_robot and not _allowed(request, "demand_submit")
        if form.is_robot or throttled:
            # Refused before anything is decoded: the photos of a robot or a throttled client are never opened.
            form = DemandSubmitForm(request.POST, building=building)
        if form.is_robot:
            form.is_valid()
            form.add_error(None, _("This form could not be sent. Please try again."))
            status = 400
        elif throttled:
            form.is_valid()  # so what was typed is shown again, then refused as a whole
            form.add_error(None, _("Too many demands from here in a short time. Please try again later."))
            status = 429
        elif form.is_valid():
            fields: dict[str, Any] = {
                "building": building,
                **form.demand_fields(),
                "channel": Demand.Channel.WEB,
                "submitted_by": request.user if request.user.is_authenticated else None,
            }
            try:
                if form.cleaned_data.get("submission_key"):
                    demand = actions.demand_submit_once(submission_key=form.cleaned_data["submission_key"], **fields)
                else:
                    demand = actions.demand_submit(**fields)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # The tracking page says "submitted" this once (a flag in the session's messages, no JS needed).
                messages.success(request, _("Your demand has been submitted."), extra_tags=SUBMITTED_TAG)
                return redirect("track", token=demand.token)
        title = request.POST.get("title", "")
        if title:
            similar = similar_open_demands(building.pk, title)
    else:
        initial: dict[str, object] = {"is_public": True, "submission_key": uuid.uuid4().hex}
        # Links from a QR code on a floor carry ?floor=52; anything else in it is ignored, not an error.
        floor = request.GET.get("floor", "")
        if re.fullmatch(r"-?[0-9]{1,3}", floor):
            initial["floor"] = int(floor)
        form = DemandSubmitForm(building=building, initial=initial)
    companies = list(building.companies.values_list("name", flat=True))
    return render(
        request,
        "requests_tracker/submit.html",
        {
            "building": building,
            "form": form,
            "companies": companies,
            "similar": similar,
            # Browsers never refill a file input: after a refused submission, say the photos must be chosen again.
            "photos_dropped": request.method == "POST" and bool(request.FILES),
        },
        status=status,
    )


@require_GET
def similar_demands(request: HttpRequest, slug: str) -> HttpResponse:
    """The look-alike open demands for a title being typed: an HTML fragment for the form's script."""
    building = _active_building(slug)
    title = request.GET.get("title", "")[:120]
    similar = similar_open_demands(building.pk, title) if title.strip() else []
    return render(request, "requests_tracker/_similar.html", {"building": building, "similar": similar})


class _ThrottleScope:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def _allowed(request: HttpRequest, scope: str) -> bool:
    # DRF's scoped throttle: the same counters and the same client identity as the API (X-Forwarded-For,
    # trusting exactly NUM_PROXIES hops), so the HTML form is no way around the API's limit.
    return ScopedRateThrottle().allow_request(request, _ThrottleScope(scope))  # type: ignore[arg-type]


def _demand_by_token(token: str) -> Demand:
    demand = selectors.demand_by_token(token, "building__council", "category", "assignee_member", "assignee_department")
    if demand is None:
        raise Http404
    return demand


@browser_keys.issues_key
def demand_track(request: HttpRequest, token: str) -> HttpResponse:
    demand = _demand_by_token(token)
    return _render_track(request, demand, NotSolvedForm(), FollowForm())


SUBMITTED_TAG = "demand-submitted"


def _render_track(
    request: HttpRequest, demand: Demand, not_solved_form: NotSolvedForm, follow_form: FollowForm, status: int = 200
) -> HttpResponse:
    events = list(selectors.public_timeline(demand))
    disputed = demand.resolved_at is not None and any(
        e.kind == "not_solved" and e.created_at >= demand.resolved_at for e in events
    )
    return render(
        request,
        "requests_tracker/track.html",
        {
            "demand": demand,
            "steps": selectors.progress_steps(demand),
            "events": events,
            "just_submitted": any(SUBMITTED_TAG in m.tags for m in messages.get_messages(request)),
            "tracking_url": request.build_absolute_uri(reverse("track", kwargs={"token": demand.token})),
            "photos": list(demand.photos.all()),
            "can_say_not_solved": demand.status == Status.RESOLVED and not disputed,
            "disputed": disputed,
            "not_solved_form": not_solved_form,
            "follow_form": follow_form,
            "sections": panels.demand_sections(demand, request),  # features' boxes (buildings.panels)
            # What the council holds to reach the submitter, masked even here (a shared screen, a shoulder).
            "contacts": masked_contacts(demand),
            "retention_days": settings.CONTACT_RETENTION_DAYS,
        },
        status=status,
    )


@require_POST
def demand_erase_contact(request: HttpRequest, token: str) -> HttpResponse:
    """The submitter erases their contact details at once (the timeline keeps a note, without them)."""
    demand = _demand_by_token(token)
    actions.demand_erase_contact(demand=demand, by=actions.ERASED_BY_SUBMITTER)
    messages.success(
        request, _("Your contact details have been erased. The council can no longer reach you; this page still works.")
    )
    return redirect("track", token=demand.token)


@require_GET
def demand_track_link(request: HttpRequest, token: str) -> HttpResponse:
    """/t/<token>/link.txt: the tracking link as a small text file to keep (works without JavaScript)."""
    demand = _demand_by_token(token)
    url = request.build_absolute_uri(reverse("track", kwargs={"token": demand.token}))
    text = "\ufeff" + _("Lousihui demand no. %(ref)s: %(title)s") % {"ref": demand.pk, "title": demand.title}
    response = HttpResponse(f"{text}\r\n{url}\r\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"lousihui-{demand.pk}.txt"
    )
    return response


@require_POST
def demand_not_solved(request: HttpRequest, token: str) -> HttpResponse:
    demand = _demand_by_token(token)
    form = NotSolvedForm(request.POST)
    if form.is_valid():
        try:
            actions.demand_report_not_solved(demand=demand, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            messages.success(request, _("Thank you. The council has been told and will get back to you."))
            return redirect("track", token=demand.token)
    return _render_track(request, demand, form, FollowForm(), status=400)


@require_POST
def demand_follow(request: HttpRequest, token: str) -> HttpResponse:
    demand = _demand_by_token(token)
    form = FollowForm(request.POST)
    if form.is_valid():
        actions.demand_follow_by_email(demand=demand, email=form.cleaned_data["email"])
        messages.success(request, _("We will write to you when your demand moves."))
        return redirect("track", token=demand.token)
    return _render_track(request, demand, NotSolvedForm(), form, status=400)


# --- The building's public board -----------------------------------------------------------

BOARD_PAGE_SIZE = 20


@browser_keys.issues_key
def board(request: HttpRequest, slug: str) -> HttpResponse:
    # Anonymous readers share one rendering (screen/board.py), found from the slug's cached id and the
    # building's stamp: no query. An unknown or inactive slug is found out below, from the database.
    known_id = screen.board.building_id(request, slug)
    key = screen.board.key_for(request, known_id) if known_id is not None else None
    page_cached = screen.board.cached(request, key)
    if page_cached is not None:
        return page_cached
    building = _active_building(slug)
    if known_id != building.pk:
        key = screen.board.key_for(request, building.pk)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    categories = list(selectors.active_categories())
    category = request.GET.get("category", "")
    category = category if any(c.code == category for c in categories) else ""
    ordering = request.GET.get("order", "new")
    ordering = ordering if ordering in selectors.BOARD_ORDERINGS else "new"
    demands = selectors.board_demands(building.pk, status=status, category=category, ordering=ordering)
    page = Paginator(demands, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "requests_tracker/board.html",
        {
            "building": building,
            "council": getattr(building, "council", None),
            "roster": list(selectors.public_roster(building.pk)),
            "figures": selectors.demand_figures(Demand.objects.filter(building=building)),
            "page": page,
            "statuses": [(s.value, s.label) for s in STEPS],
            "categories": categories,
            "status": status,
            "category": category,
            "ordering": ordering,
            "filtered": bool(status or category),
            # Open surveys, elections, projects...: registered by their packages (buildings.panels).
            "sections": panels.board_sections(building, request),
        },
    )
    screen.board.remember(key, response)
    return response


def _public_demand_or_404(slug: str, pk: int) -> tuple[Building, Demand]:
    building = _active_building(slug)
    demand = selectors.public_demand(building.pk, pk)
    if demand is None:
        raise Http404
    return building, demand


@browser_keys.issues_key
def demand_public(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    building, demand = _public_demand_or_404(slug, pk)
    return render(
        request,
        "requests_tracker/demand_public.html",
        {
            "building": building,
            "demand": demand,
            "steps": selectors.progress_steps(demand),
            "events": list(selectors.public_timeline(demand)),
            "photos": list(demand.photos.all()),
            "supported": _has_supported(request, demand),
            "sections": panels.demand_sections(demand, request),  # features' boxes (buildings.panels)
        },
    )


# --- Supports (附议) -------------------------------------------------------------------------


def _has_supported(request: HttpRequest, demand: Demand) -> bool:
    if request.user.is_authenticated:
        return demand.supports.filter(user=request.user).exists()
    key = browser_keys.support_key(request)
    return bool(key) and demand.supports.filter(client_key=key).exists()


@require_POST
def demand_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Counts a +1 from a signed-in user, or from a browser holding a key issued on an earlier page view.

    Not throttled itself: the issuing of keys is (intake.browser_keys), so one NAT address supports freely.
    """
    _building, demand = _public_demand_or_404(slug, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    key = "" if request.user.is_authenticated else browser_keys.support_key(request)
    if not request.user.is_authenticated and not key:
        message = _(
            "This browser cannot be counted yet. Open the demand's page again (with cookies allowed) "
            "and press +1 there."
        )
        if wants_json:
            return JsonResponse({"detail": message, "count": demand.support_count}, status=403)
        messages.error(request, message)
        return redirect(_next_url(request, demand))
    added = actions.demand_support(
        demand=demand,
        user=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
        client_key=key,
    )
    message = _("Thank you for your support.") if added else _("You have already supported this demand.")
    if wants_json:
        return JsonResponse({"count": demand.support_count, "supported": True, "added": added})
    messages.success(request, message)
    return redirect(_next_url(request, demand))


def _next_url(request: HttpRequest, demand: Demand) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("demand-public", args=[demand.building.slug, demand.pk])


# --- Photos: served as images, never as HTML -------------------------------------------------


def _photo_response(photo: DemandPhoto, *, public: bool) -> FileResponse:
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Short public caching: a demand a moderator hides must stop showing soon.
    response["Cache-Control"] = "public, max-age=600" if public else "private, max-age=600"
    return response


def photo_public(request: HttpRequest, slug: str, pk: int, photo_id: int) -> FileResponse:
    _building, demand = _public_demand_or_404(slug, pk)
    return _photo_response(get_object_or_404(DemandPhoto, pk=photo_id, demand=demand), public=True)


def photo_by_token(request: HttpRequest, token: str, photo_id: int) -> FileResponse:
    demand = _demand_by_token(token)
    return _photo_response(get_object_or_404(DemandPhoto, pk=photo_id, demand=demand), public=False)


# --- QR posters -------------------------------------------------------------------------------


def _poster_floor(request: HttpRequest, building: Building) -> int | None:
    raw = request.GET.get("floor", "")
    if re.fullmatch(r"-?[0-9]{1,3}", raw) and int(raw) != 0 and int(raw) in building.floor_range():
        return int(raw)
    return None


def poster(request: HttpRequest, slug: str) -> HttpResponse:
    building = _active_building(slug)
    floor = _poster_floor(request, building)
    if site_url_missing():
        # A QR code to http://127.0.0.1:8000 would be printed, stuck on the walls and dead: refuse, and say why.
        return render(
            request,
            "requests_tracker/poster.html",
            {"building": building, "floor": floor, "site_url_missing": True},
            status=503,
        )
    url = submit_url(building, floor)
    return render(
        request,
        "requests_tracker/poster.html",
        {
            "building": building,
            "council": getattr(building, "council", None),
            "floor": floor,
            "url": url,
            "main_class": "poster-page",
            "site_url_missing": False,
            "qr_svg": qr_svg(url),
            "categories": list(Category.objects.filter(is_active=True)[:8]),
        },
    )


POSTER_REFUSED = _lazy(
    "SITE_URL is not set: the QR code would lead to the development address. "
    "Set SITE_URL to the site's public address (e.g. https://lousihui.example.cn) and restart."
)


def poster_qr(request: HttpRequest, slug: str) -> HttpResponse:
    building = _active_building(slug)
    floor = _poster_floor(request, building)
    if site_url_missing():
        return HttpResponse(POSTER_REFUSED, status=503, content_type="text/plain; charset=utf-8")
    name = f"lousihui-{building.slug}" + (f"-floor-{floor}" if floor is not None else "") + ".png"
    response = HttpResponse(qr_png(submit_url(building, floor)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
