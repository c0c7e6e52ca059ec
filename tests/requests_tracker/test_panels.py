"""The extension point of the board and the screen (buildings.panels): what a feature registers shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils.html import format_html

from buildings import panels
from requests_tracker import screen
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_panel() -> Iterator[None]:
    def board(building: Any, request: Any) -> str:
        return format_html('<section class="test-survey">{}</section>', f"问卷 · {building.name}")

    def feed(building_id: int) -> list[dict[str, Any]]:
        return [
            {"kind": "survey", "key": "s1", "title": "外卖需求调查", "subtitle": "", "qr": "", "url": "", "rows": []}
        ]

    panels.register_board_section("test", board)
    panels.register_screen_panel("test", feed)
    yield
    panels._board.pop("test")
    panels._screen.pop("test")


def test_a_registered_section_shows_on_the_board_and_its_panel_in_the_screen_feed(
    cast: factories.Cast, survey_panel: None
) -> None:
    html = Client().get(f"/b/{cast.tower_a.slug}/").content.decode()
    feed = Client().get(f"/api/v1/screen/{cast.tower_a.slug}/").json()

    assert '<section class="test-survey">问卷 · 上海中心大厦</section>' in html
    assert [p["title"] for p in feed["panels"]] == ["外卖需求调查"]


def test_touching_a_building_gives_its_screen_a_new_stamp(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    before = screen.building_stamp(cast.tower_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        panels.touch(cast.tower_a.pk)
    assert screen.building_stamp(cast.tower_a.pk) != before
