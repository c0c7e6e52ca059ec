"""What elections add to a building's board (/b/<slug>/) and lobby screen (buildings.panels).

During voting both show the turnout only; results appear once voting has closed.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.models import Building, CouncilEvent

from . import selectors
from .models import Election

#: How long a finished election stays on the board and the screen.
SHOWN_AFTER_CLOSE = timedelta(days=30)


def _current(building_id: int) -> list[Election]:
    """Voting now, or closed in the last 30 days: at most three, newest first (one query)."""
    since = timezone.now() - SHOWN_AFTER_CLOSE
    recent = (
        selectors.election_queryset()
        .filter(building_id=building_id)
        .exclude(status=Election.Status.DRAFT)
        .order_by("-opens_at", "-id")[:5]
    )
    return [e for e in recent if e.status == Election.Status.VOTING or (e.closed_at and e.closed_at >= since)][:3]


def _entry(election: Election) -> dict[str, Any]:
    entry: dict[str, Any] = {"election": election, "turnout": selectors.turnout(election), "results": None}
    with contextlib.suppress(selectors.Embargoed):
        entry["results"] = selectors.results(election)
    return entry


def board_section(building: Building, request: HttpRequest) -> str | None:
    elections = _current(building.pk)
    events = list(CouncilEvent.objects.filter(council__building_id=building.pk).order_by("-at", "-id")[:6])
    if not elections and not events:
        return None
    return render_to_string(
        "elections/_board_section.html",
        {"entries": [_entry(e) for e in elections], "events": events},
        request=request,
    )


def screen_panels(building_id: int) -> list[dict[str, Any]]:
    panels = []
    for election in _current(building_id):
        url = settings.SITE_URL.rstrip("/") + reverse("election", args=[election.key])
        turnout = selectors.turnout(election)
        turnout_row = {
            "label": _("Turnout"),
            "value": f"{turnout.voted} / {turnout.electors}",
            "progress": turnout.percent,
        }
        if election.status == Election.Status.VOTING:
            subtitle = _("Voting until %(time)s") % {
                "time": timezone.localtime(election.closes_at).strftime("%Y-%m-%d %H:%M")
            }
            rows = [turnout_row]
        else:
            rows = [turnout_row]
            try:
                result = selectors.results(election)
            except selectors.Embargoed:
                result = None
            if election.status == Election.Status.VOID:
                subtitle = _("Void: %(reason)s") % {"reason": election.void_reason}
            else:
                subtitle = election.get_status_display()
                if result is not None:
                    rows += [
                        {
                            "label": r.candidate.name,
                            "value": _("elected · %(n)s votes") % {"n": r.votes},
                            "progress": None,
                        }
                        for r in result.elected
                    ]
        panels.append(
            {
                "kind": "election",
                "key": f"election-{election.key}",
                "title": election.title,
                "subtitle": subtitle,
                "qr": reverse("election-qr", args=[election.key]),
                "url": url,
                "rows": rows,
            }
        )
    return panels
