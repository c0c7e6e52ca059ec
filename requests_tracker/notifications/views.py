"""Opting out of notifications: the submitter from the tracking page, a signed-in user for themselves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from buildings.models import User

from ..models import Channel, ChannelOptOut, SubmitterPreference
from ..selectors import demand_by_token
from .outbox import _supported


def _masked(address: str) -> str:
    """a***@example.com: enough for the submitter to recognise, not enough to harvest."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


@require_http_methods(["GET", "POST"])
def submitter_preferences(request: HttpRequest, token: str) -> HttpResponse:
    demand = demand_by_token(token, "building")
    if demand is None:
        raise Http404
    preference = SubmitterPreference.objects.filter(demand=demand).first()
    if request.method == "POST" and demand.contact_email:
        wants_email = request.POST.get("email") == "on"
        if preference is None:
            preference = SubmitterPreference(demand=demand, language=_supported(get_language()))
        preference.email_opted_out = not wants_email
        preference.save()
        return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "notifications/preferences.html",
        {
            "demand": demand,
            "address": _masked(demand.contact_email),
            "email_on": preference is None or not preference.email_opted_out,
            "saved": request.GET.get("saved") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    opted_out = ChannelOptOut.objects.filter(user=user, channel=Channel.EMAIL).exists()
    if request.method == "POST":
        wants_email = request.POST.get("email") == "on"
        if wants_email:
            ChannelOptOut.objects.filter(user=user, channel=Channel.EMAIL).delete()
        elif not opted_out:
            try:
                with transaction.atomic():
                    ChannelOptOut.objects.create(user=user, channel=Channel.EMAIL)
            except IntegrityError:
                pass  # the same choice submitted twice at once
        return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "notifications/preferences.html",
        {
            "demand": None,
            "address": _masked(user.email),
            "email_on": not opted_out,
            "saved": request.GET.get("saved") == "1",
        },
    )
