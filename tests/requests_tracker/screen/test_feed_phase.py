"""Each feed's minute turns at a second of its own (feed.phase_of): a thousand screens' feeds are not
all rebuilt in the same second once a minute (#15, bench/screens.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from requests_tracker.screen import feed


def _at(second: int) -> mock._patch:  # type: ignore[type-arg]
    return mock.patch.object(feed.timezone, "now", return_value=datetime(2026, 12, 8, 9, 0, second, tzinfo=UTC))


def test_phases_spread_over_the_minute() -> None:
    phases = [feed.building_phase(i) for i in range(1, 1001)]
    assert all(0 <= p < feed.REFRESH_EVERY for p in phases)
    per_second = [phases.count(s) for s in range(feed.REFRESH_EVERY)]
    assert max(per_second) < 40  # ~17 each; one phase for all would be 1,000 in one second
    assert feed.building_phase(7) == feed.building_phase(7)  # stable, in every worker


def test_the_etag_turns_at_the_feeds_own_second() -> None:
    phase = 25  # this feed's minute turns when the clock's second is 60 - 25 = 35
    with _at(34):
        before = feed.etag_for("stamp", phase)
        assert feed.seconds_left_in_bucket(phase) == 1
    with _at(35):
        assert feed.etag_for("stamp", phase) != before
        assert feed.seconds_left_in_bucket(phase) == feed.REFRESH_EVERY
    with _at(59):
        unchanged = feed.etag_for("stamp", phase)
    with mock.patch.object(
        feed.timezone, "now", return_value=datetime(2026, 12, 8, 9, 1, 0, tzinfo=UTC)
    ):  # the clock's minute turns; this feed's does not
        assert feed.etag_for("stamp", phase) == unchanged
