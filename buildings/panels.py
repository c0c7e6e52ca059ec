"""What a building's public surfaces show besides its demands: the extension point for feature packages.

The building board (`/b/<slug>/`) and the lobby screen (`/screen/<slug>/`) belong to the demand side,
but surveys, elections, projects and resources want a place on them. Rather than the board and the
screen importing every feature (an arrow between features, or upward into a lower layer), each
feature registers a provider here, at the bottom layer, from its AppConfig.ready():

- `register_board_section(name, provider)`: provider(building, request) -> rendered HTML or None;
  the board shows the sections in registration order.
- `register_screen_panel(name, provider)`: provider(building_id) -> list of panels (plain JSON data,
  below) for the building's screen; `register_area_panel` the same for an area screen
  (kind "subdistrict" | "district", area id).
- `register_demand_section(name, provider)`: provider(demand, request) -> rendered HTML or None,
  shown on a demand's tracking page and public page (the guide matters that apply, the projects it is part of).
- `touch(building_id)`: tells the screens that something they show changed (a survey opened, an
  election's turnout moved); the screen package listens with `on_touch`.

A screen panel is a dict the screen renders without knowing the feature:
    {"kind": "survey" | "election" | "project" | ..., "key": unique str, "title": str,
     "subtitle": str, "qr": url of a QR PNG or "", "url": str,
     "rows": [{"label": str, "value": str, "progress": 0-100 or None}]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Building

BoardProvider = "Callable[[Building, HttpRequest], str | None]"
Panel = dict[str, Any]

_board: dict[str, Callable[..., str | None]] = {}
_screen: dict[str, Callable[[int], list[Panel]]] = {}
_area: dict[str, Callable[[str, int], list[Panel]]] = {}
_touch: dict[str, Callable[[int], None]] = {}
_demand: dict[str, Callable[..., str | None]] = {}


def register_board_section(name: str, provider: Callable[..., str | None]) -> None:
    _board[name] = provider


def register_screen_panel(name: str, provider: Callable[[int], list[Panel]]) -> None:
    _screen[name] = provider


def register_area_panel(name: str, provider: Callable[[str, int], list[Panel]]) -> None:
    _area[name] = provider


def register_demand_section(name: str, provider: Callable[..., str | None]) -> None:
    _demand[name] = provider


def demand_sections(demand: Any, request: HttpRequest) -> list[str]:
    """The rendered sections features add to one demand's tracking and public pages."""
    sections = []
    for provider in _demand.values():
        html = provider(demand, request)
        if html:
            sections.append(html)
    return sections


def on_touch(name: str, listener: Callable[[int], None]) -> None:
    _touch[name] = listener


def board_sections(building: Building, request: HttpRequest) -> list[str]:
    """The rendered sections every registered feature adds to the building's board."""
    sections = []
    for provider in _board.values():
        html = provider(building, request)
        if html:
            sections.append(html)
    return sections


def screen_panels(building_id: int) -> list[Panel]:
    panels: list[Panel] = []
    for provider in _screen.values():
        panels += provider(building_id)
    return panels


def area_panels(kind: str, area_id: int) -> list[Panel]:
    panels: list[Panel] = []
    for provider in _area.values():
        panels += provider(kind, area_id)
    return panels


def touch(building_id: int) -> None:
    """Something a building's screen shows changed (not a demand: those go through the after-change path)."""
    for listener in _touch.values():
        listener(building_id)
