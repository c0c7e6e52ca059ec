"""Residents' HTML pages: pick a building, submit a demand, follow it."""

import re

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import ScopedRateThrottle

from buildings.models import Building
from buildings.selectors import districts_with_buildings

from . import actions, selectors
from .forms import DemandSubmitForm
from .models import Demand


def home(request: HttpRequest) -> HttpResponse:
    # A district without an active building has nothing to pick (the buildings are prefetched: no queries).
    districts = [d for d in districts_with_buildings() if any(s.buildings.all() for s in d.subdistricts.all())]
    return render(request, "requests_tracker/home.html", {"districts": districts})


@require_http_methods(["GET", "POST"])
def demand_submit(request: HttpRequest, slug: str) -> HttpResponse:
    building = get_object_or_404(Building.objects.select_related("council", "subdistrict"), slug=slug, is_active=True)
    status = 200
    if request.method == "POST":
        form = DemandSubmitForm(request.POST, building=building)
        if not _submission_allowed(request):
            form.is_valid()  # so what was typed is shown again, then refused as a whole
            form.add_error(None, _("Too many demands from here in a short time. Please try again later."))
            status = 429
        elif form.is_valid():
            try:
                demand = actions.demand_submit(
                    building=building,
                    **form.cleaned_data,
                    channel=Demand.Channel.WEB,
                    submitted_by=request.user if request.user.is_authenticated else None,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("track", token=demand.token)
    else:
        initial: dict[str, object] = {"is_public": True}
        # Links from a QR code on a floor carry ?floor=52; anything else in it is ignored, not an error.
        floor = request.GET.get("floor", "")
        if re.fullmatch(r"-?[0-9]{1,3}", floor):
            initial["floor"] = int(floor)
        form = DemandSubmitForm(building=building, initial=initial)
    companies = list(building.companies.values_list("name", flat=True))
    return render(
        request,
        "requests_tracker/submit.html",
        {"building": building, "form": form, "companies": companies},
        status=status,
    )


class _SubmitThrottleScope:
    # The API's "demand_submit" rate and counter: the form must not be a way around the API's limit.
    throttle_scope = "demand_submit"


def _submission_allowed(request: HttpRequest) -> bool:
    return ScopedRateThrottle().allow_request(request, _SubmitThrottleScope())  # type: ignore[arg-type]


#: What `new_tracking_token` produces (URL-safe base64); anything else cannot match, and
#: PostgreSQL refuses some of it (NUL bytes) with an error rather than "no row".
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def demand_track(request: HttpRequest, token: str) -> HttpResponse:
    if not _TOKEN_RE.fullmatch(token):
        raise Http404
    demand = get_object_or_404(
        Demand.objects.select_related("building__council", "category", "assignee_member", "assignee_department"),
        token=token,
    )
    return render(
        request,
        "requests_tracker/track.html",
        {
            "demand": demand,
            "steps": selectors.progress_steps(demand),
            "events": selectors.public_timeline(demand),
        },
    )
