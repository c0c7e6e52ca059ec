"""Residents' HTML pages: pick a building, submit a demand, follow it."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from buildings.models import Building
from buildings.selectors import districts_with_buildings

from . import actions, selectors
from .forms import DemandSubmitForm
from .models import Demand


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_tracker/home.html", {"districts": districts_with_buildings()})


@require_http_methods(["GET", "POST"])
def demand_submit(request: HttpRequest, slug: str) -> HttpResponse:
    building = get_object_or_404(Building.objects.select_related("council", "subdistrict"), slug=slug, is_active=True)
    if request.method == "POST":
        form = DemandSubmitForm(request.POST, building=building)
        if form.is_valid():
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
        floor = request.GET.get("floor", "")
        if floor.lstrip("-").isdigit():
            initial["floor"] = int(floor)
        form = DemandSubmitForm(building=building, initial=initial)
    companies = list(building.companies.values_list("name", flat=True))
    return render(request, "requests_tracker/submit.html", {"building": building, "form": form, "companies": companies})


def demand_track(request: HttpRequest, token: str) -> HttpResponse:
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
