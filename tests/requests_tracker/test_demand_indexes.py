"""The demand table's indexes are the ones something reads (#15, migration 0016): every INSERT writes
each of them."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the LIKE copies are PostgreSQL's"),
]


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'requests_tracker_demand'")
        return dict(cursor.fetchall())


def test_no_like_copies_and_no_lone_building_index() -> None:
    indexes = _indexes()
    assert not [name for name, definition in indexes.items() if "pattern_ops" in definition]
    alone = [d for d in indexes.values() if d.endswith("USING btree (building_id)")]
    assert alone == []
    # What the look-ups need is still there.
    assert "demand_status" in indexes
    assert "requests_tracker_demand_token_key" in indexes
    assert "requests_tracker_demand_submission_key_key" in indexes
    assert indexes["demand_building_recent"].endswith("(building_id, submitted_at DESC)")
    # The screen stamp's aggregate (screen/feed.py `_digest`) reads only this index: every column it names.
    assert indexes["demand_screen_stamp"].endswith(
        "(building_id) INCLUDE (id, is_public, is_hidden, show_company, updated_at, version, support_count)"
    )
