"""What projects add to the building board and the lobby/area screens (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from buildings.models import Subdistrict
from buildings.panels import Panel

from . import selectors
from .models import Project

if TYPE_CHECKING:
    from django.http import HttpRequest

    from buildings.models import Building

BOARD_LIMIT = 5


def board_section(building: Building, request: HttpRequest) -> str | None:
    """The board's "projects" section: the building's public projects, in progress first, done last (1 query)."""
    projects = list(selectors.building_projects(building)[:BOARD_LIMIT])
    if not projects:
        return None
    return render_to_string(
        "projects/_board_section.html", {"building": building, "projects": projects}, request=request
    )


def demand_section(demand: Any, request: HttpRequest) -> str | None:
    """The box a demand's tracking and public pages show for the projects it is part of (1 query)."""
    projects = selectors.projects_for_demand(demand.pk)
    if not projects:
        return None
    return render_to_string("projects/_demand_projects.html", {"demand_projects": projects}, request=request)


def _panel(projects: list[Project], key: str) -> list[Panel]:
    if not projects:
        return []
    return [
        {
            "kind": "project",
            "key": key,
            "title": str(_("Projects in progress")),
            "subtitle": "",
            "qr": "",
            "url": "",
            "rows": [
                {
                    "label": p.title,
                    "value": f"{p.progress}%",
                    "progress": p.progress,
                    "url": reverse("project", args=[p.pk]),
                }
                for p in projects
            ],
        }
    ]


def screen_panels(building_id: int) -> list[Panel]:
    """The lobby screen's projects panel: the building's projects in progress with their progress bars."""
    return _panel(selectors.in_progress_for_screen(building_ids=[building_id]), f"projects-{building_id}")


def area_panels(kind: str, area_id: int) -> list[Panel]:
    """An area screen's projects panel: projects in progress across the sub-district or district."""
    if kind == "subdistrict":
        subdistrict_ids = [area_id]
    else:
        subdistrict_ids = list(Subdistrict.objects.filter(district_id=area_id).values_list("pk", flat=True))
    return _panel(selectors.in_progress_for_screen(subdistrict_ids=subdistrict_ids), f"projects-{kind}-{area_id}")
