"""What keeps a look-up bounded at a million documents: a capped count the API and the page admit to,
one statement per look-up compiled once per filter set, and a page past the end that still counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from requests_tracker.search import engine
from tests.services.guide.test_search_cache import _resolved

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_two(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[None]:
    settings.SEARCH_CACHE_SECONDS = 0
    monkeypatch.setattr(engine, "MAX_CANDIDATES", 2)
    engine._candidate_sql.cache_clear()  # compiled with the cap in it
    yield
    engine._candidate_sql.cache_clear()


def test_a_broad_query_counts_up_to_the_cap_and_says_so(client: Any, world: Any, cap_of_two: None) -> None:
    for i in range(3):
        _resolved(world, f"外卖柜第{i}次坏了", "已修好外卖柜")
    data = client.get("/api/v1/search/", {"q": "外卖柜", "kind": "demand"}).json()
    assert data["count"] == 2
    assert len(data["results"]) == 2
    page = client.get("/cases/", {"q": "外卖柜", "kind": "demand"}).content.decode()
    assert "2+" in page


def test_a_narrow_query_counts_exactly(client: Any, world: Any) -> None:
    for i in range(3):
        _resolved(world, f"外卖柜第{i}次坏了", "已修好外卖柜")
    data = client.get("/api/v1/search/", {"q": "外卖柜", "kind": "demand"}).json()
    assert data["count"] == 3
    assert "3+" not in client.get("/cases/", {"q": "外卖柜", "kind": "demand"}).content.decode()


def test_a_page_past_the_last_still_says_how_many(world: Any) -> None:
    for i in range(3):
        _resolved(world, f"外卖柜第{i}次坏了", "已修好外卖柜")
    count, hits = engine.search("外卖柜", engine.Filters(kind="demand"), limit=10, offset=10)
    assert (count, hits) == (3, [])


def test_statements_compiled_for_one_filter_set_serve_only_that_set(world: Any) -> None:
    case = _resolved(world, "外卖柜坏了", "已修好外卖柜")
    everywhere = engine.Filters(kind="demand")
    elsewhere = engine.Filters(kind="demand", building_id=case.building_id + 10_000)
    for _ in range(2):  # the second time from the compiled statements
        assert [h.id for h in engine.search("外卖柜", everywhere)[1]] == [case.pk]
        assert engine.search("外卖柜", elsewhere) == (0, [])
        assert [h.id for h in engine.search("外买柜", everywhere)[1]] == [case.pk]  # the typo fallback
