"""Light pages on a phone (#15): ECharts built with only what the pages draw and loaded deferred; HTML
and JSON compressed; the screens' ETags still match through compression."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def test_vendored_echarts_is_the_custom_build_of_what_the_pages_draw() -> None:
    bundle = (ROOT / "static/vendor/echarts/echarts.min.js").read_text()
    assert bundle.startswith("/*! Apache ECharts 5.6.0 (custom build")
    assert len(bundle) < 600_000  # the full build was 1,034,102 bytes
    entry = (ROOT / "frontend/echarts/entry.js").read_text()
    used = set()
    for script in ("static/js/stats.js",):  # the survey results draw bars in HTML and CSS
        used |= set(
            re.findall(r'type: "(bar|line|pie|scatter|radar|map|gauge|funnel|heatmap)"', (ROOT / script).read_text())
        )
    assert used == {"bar", "line", "pie"}
    for chart in used:
        assert f"{chart.capitalize()}Chart" in entry


@pytest.mark.django_db
def test_stats_page_loads_echarts_deferred(cast: factories.Cast) -> None:
    """Nothing blocks the first paint, and ECharts is not in the page: stats.js fetches it when a chart
    comes near the screen (its address in data-echarts), so a phone reading the figures never pays for it."""
    client = Client()
    client.force_login(cast.district_staff)
    html = client.get("/stats/").content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=\"[^\"]+\"[^>]*>", html)
    assert scripts and all(" defer" in s for s in scripts), scripts
    assert not any("echarts" in s.split("data-echarts")[0] for s in scripts)
    assert re.search(r'src="[^"]*stats[^"]*\.js" data-echarts="[^"]*echarts\.min[^"]*\.js"', html)


@pytest.mark.django_db
def test_html_is_compressed_for_a_phone_that_accepts_gzip(cast: factories.Cast) -> None:
    response = Client().get(f"/b/{cast.tower_a.slug}/", headers={"accept_encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "上海中心" in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_a_compressed_feed_etag_still_answers_304(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    first = Client().get(path, headers={"accept_encoding": "gzip"})
    etag = first["ETag"]
    assert first["Content-Encoding"] == "gzip" and etag.startswith('W/"')  # GZipMiddleware weakens it
    again = Client().get(path, headers={"accept_encoding": "gzip", "if_none_match": etag})
    assert again.status_code == 304
