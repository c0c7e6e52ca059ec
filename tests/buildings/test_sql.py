"""`buildings.sql.prepared_cursor`: the submission's hand-written statements are prepared once per
connection on PostgreSQL; the ORM's queries are not; everything still goes through Django's wrapping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import override_settings

from buildings.models import Building
from buildings.sql import prepared_cursor
from requests_tracker import selectors
from requests_tracker.models import Category
from tests import factories

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")

LOOKUP = "SELECT id, slug FROM buildings_building WHERE slug = %s"


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _deallocate() -> None:
    connection.ensure_connection()
    connection.connection.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()  # psycopg's own list of what it prepared on this connection


@postgres_only
def test_a_statement_is_prepared_on_first_use_and_reused() -> None:
    building = factories.BuildingFactory()
    _deallocate()
    for _ in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(LOOKUP, [building.slug])
            assert cursor.fetchone() == (building.pk, building.slug)
    assert _prepared().count(LOOKUP.replace("%s", "$1")) == 1


@postgres_only
def test_the_orm_is_not_prepared() -> None:
    factories.BuildingFactory()
    _deallocate()
    with prepared_cursor() as cursor:  # the connection now allows preparing — on request only
        cursor.execute(LOOKUP, ["x"])
    for _ in range(10):  # past psycopg's default threshold of 5
        list(Building.objects.filter(slug="x"))
    assert _prepared() == [LOOKUP.replace("%s", "$1")]


@postgres_only
def test_off_by_setting() -> None:
    _deallocate()
    with override_settings(PREPARED_STATEMENTS=False), prepared_cursor() as cursor:
        cursor.execute(LOOKUP, ["x"])
    assert _prepared() == []


def test_counted_like_any_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1), prepared_cursor() as cursor:
        cursor.execute(LOOKUP, ["x"])
        assert cursor.fetchone() is None


@postgres_only
def test_timestamps_come_back_aware() -> None:
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [datetime(2026, 12, 7, 12, 0, tzinfo=UTC)])
        (value,) = cursor.fetchone()
    assert value == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert value.utcoffset() is not None


@postgres_only
def test_a_submission_reads_its_targets_prepared() -> None:
    building: Building = factories.BuildingFactory()
    category: Category = factories.CategoryFactory()
    _deallocate()
    assert selectors.submission_targets(building.slug, category.code) == (building, category)
    assert selectors.submission_targets(building.slug, category.code) == (building, category)
    assert len([s for s in _prepared() if "CROSS JOIN" in s]) == 1
