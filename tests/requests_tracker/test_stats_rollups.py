"""The statistics' maintained rollups (#15), on real PostgreSQL.

A hypothesis state machine takes random sequences of workflow actions (submit, assign, start,
resolve, reopen, hand back, merge, and edits that move a demand to another building or category) at
random times over more than a year. After every step, for each building alone, the district, and
everything:
- the figures served from the tallies and rollups (`stats.served`) equal the live `compute()` ones
  exactly, except the percentiles, which are within the 2.5 % the definitions state (plus the
  rounding of both to 0.1 h);
- every rollup equals a recount from the demands (`rebuild_tallies`).
And the served cold path is a fixed number of queries, whatever the number of demands.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from requests_tracker import actions
from requests_tracker.models import (
    Demand,
    DemandCategoryTally,
    DemandDurationBucket,
    DemandMonthTally,
    DemandTally,
)
from requests_tracker.stats import compute, histograms, partials, rebuild_tallies
from requests_tracker.stats.compute import headline
from requests_tracker.stats.served import compute_served
from requests_tracker.workflow import Action, Outcome
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

REFUSED = (actions.TransitionError, ValidationError)


def _committed() -> Any:
    """Runs what the actions defer to their commit (the cached rollup sums' tokens), as a commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


#: Hours to one decimal on both sides: each rounding moves a figure by at most 0.05 h; under a minute
#: the histogram is exact to half a minute.
ROUNDING_HOURS = 0.1 + 30 / 3600


def _rows() -> dict[str, set[tuple[Any, ...]]]:
    """Every maintained row that counts something (a row moved back to zero counts nothing)."""
    return {
        "tally": set(DemandTally.objects.exclude(n=0).values_list("building_id", "status", "outcome", "n")),
        "month": set(
            DemandMonthTally.objects.exclude(received=0, resolved=0).values_list(
                "building_id", "month", "received", "resolved"
            )
        ),
        "category": set(
            DemandCategoryTally.objects.exclude(received=0, resolved=0).values_list(
                "building_id", "category_id", "received", "resolved"
            )
        ),
        "duration": set(DemandDurationBucket.objects.exclude(n=0).values_list("building_id", "kind", "bucket", "n")),
    }


def assert_served_equals_live(building_ids: set[int] | None, now: datetime) -> None:
    demands = Demand.objects.all() if building_ids is None else Demand.objects.filter(building_id__in=building_ids)
    live = compute(demands, now=now, head=headline(demands, now=now))
    served = compute_served(building_ids, now=now)
    for key in ("first_response", "resolution_time"):
        exact, close = live.pop(key), served.pop(key)
        assert close["count"] == exact["count"], key
        for part in ("median_hours", "p90_hours"):
            if exact[part] is None:
                assert close[part] is None
            else:
                assert abs(close[part] - exact[part]) <= histograms.TOLERANCE * exact[part] + ROUNDING_HOURS, (
                    key,
                    part,
                    exact[part],
                    close[part],
                )
    assert served == live


class RollupMachine(RuleBasedStateMachine):
    cast: factories.Cast

    def __init__(self) -> None:
        super().__init__()
        self.demands: list[int] = []
        self.clock = timezone.now() - timedelta(days=420)

    @initialize()
    def setup(self) -> None:
        cast = self.cast
        far_district = factories.DistrictFactory()
        far = factories.BuildingFactory(subdistrict=factories.SubdistrictFactory(district=far_district), floors=30)
        self.buildings = [cast.tower_a, cast.tower_b, far]
        self.categories = [cast.category, factories.CategoryFactory(target_days=3)]
        self.district = {cast.tower_a.pk, cast.tower_b.pk}

    def _later(self, hours: int) -> datetime:
        """Time moves on by `hours` (a minute when 0), never past now."""
        self.clock = min(self.clock + (timedelta(hours=hours) if hours else timedelta(seconds=50)), timezone.now())
        return self.clock

    @rule(where=st.integers(0, 2), what=st.integers(0, 1), hours=st.integers(0, 300))
    def submit(self, where: int, what: int, hours: int) -> None:
        with _committed():
            demand = factories.make_demand(self.buildings[where], self.categories[what], at=self._later(hours))
        self.demands.append(demand.pk)

    @precondition(lambda self: self.demands)
    @rule(
        data=st.data(),
        action=st.sampled_from([Action.ASSIGN, Action.START, Action.RESOLVE, Action.REOPEN, Action.HAND_BACK]),
        outcome=st.sampled_from(Outcome.values),
        hours=st.integers(0, 2000),
    )
    def transition(self, data: Any, action: str, outcome: str, hours: int) -> None:
        demand = Demand.objects.get(pk=data.draw(st.sampled_from(self.demands)))
        with _committed(), contextlib.suppress(REFUSED):
            actions.demand_transition(
                demand=demand,
                action=action,
                actor=self.cast.superuser,
                assignee=actions.Assignee(department=self.cast.fire) if action == Action.ASSIGN else None,
                outcome=outcome,
                note="办理说明",
                at=self._later(hours),
            )

    @precondition(lambda self: len(self.demands) >= 2)
    @rule(data=st.data(), hours=st.integers(0, 500))
    def merge(self, data: Any, hours: int) -> None:
        pk, into_pk = data.draw(st.lists(st.sampled_from(self.demands), min_size=2, max_size=2, unique=True))
        with _committed(), contextlib.suppress(REFUSED):
            actions.demand_merge(
                demand=Demand.objects.get(pk=pk),
                into=Demand.objects.get(pk=into_pk),
                actor=self.cast.superuser,
                at=self._later(hours),
            )

    @precondition(lambda self: self.demands)
    @rule(data=st.data(), where=st.integers(0, 2), what=st.integers(0, 1))
    def edit(self, data: Any, where: int, what: int) -> None:
        demand = Demand.objects.get(pk=data.draw(st.sampled_from(self.demands)))
        with _committed(), contextlib.suppress(REFUSED):
            actions.demand_edit(
                demand=demand,
                actor=self.cast.superuser,
                changes={"building": self.buildings[where], "category": self.categories[what]},
                at=self._later(0),
            )

    @invariant()
    def served_figures_equal_the_live_ones(self) -> None:
        if not hasattr(self, "buildings"):
            return
        now = timezone.now()
        for building_ids in ({b.pk} for b in self.buildings):
            assert_served_equals_live(building_ids, now)
        assert_served_equals_live(self.district, now)
        assert_served_equals_live(None, now)

    @invariant()
    def rollups_equal_a_recount(self) -> None:
        maintained = _rows()
        rebuild_tallies()
        assert _rows() == maintained


@pytest.mark.parametrize("chunk", [partials.CHUNK, 1])
def test_served_figures_equal_the_live_ones_after_random_histories(
    cast: factories.Cast, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also with a chunk per building (`partials.CHUNK` = 1): the district's and everything's sums
    merge the chunks each building's own figures left in the cache."""
    monkeypatch.setattr(partials, "CHUNK", chunk)
    RollupMachine.cast = cast
    run_state_machine_as_test(
        RollupMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_percentiles_from_histograms_stay_within_the_stated_tolerance() -> None:
    """Any set of durations, however spread: the histogram's percentiles are within 2.5 % (or half a
    minute) of percentile_cont's."""
    from hypothesis import given

    from requests_tracker.stats.compute import _percentiles

    @given(st.lists(st.floats(min_value=0, max_value=3e7, allow_nan=False), min_size=1, max_size=300))
    @settings(max_examples=300, deadline=None)
    def check(seconds: list[float]) -> None:
        counts: dict[int, int] = {}
        for s in seconds:
            counts[histograms.bucket(s)] = counts.get(histograms.bucket(s), 0) + 1
        exact = _percentiles(seconds)
        for got, want in zip(histograms.percentiles(counts), exact, strict=True):
            assert want is not None and got is not None
            assert abs(got - want) <= histograms.TOLERANCE * want + 30.0 + 1e-6

    check()


def test_served_cold_path_is_a_fixed_number_of_queries(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    """Open demands by department (overdue from the same rows) and the departments' names; the
    buildings' tallies, histograms, months and categories (`partials`, none of them cached); the
    ranked buildings' and the categories' names (none to name: no query): 8 at most, whatever the
    number of demands."""
    ids = {cast.tower_a.pk, cast.tower_b.pk}
    with django_assert_num_queries(6):
        compute_served(ids, now=timezone.now())
    with _committed():  # the changes move the buildings' tokens: their chunk is summed again
        for i in range(5):
            d = factories.make_demand(cast.tower_a if i % 2 else cast.tower_b, cast.category)
            actions.demand_transition(
                demand=d, action=Action.ASSIGN, actor=cast.superuser, assignee=actions.Assignee(department=cast.fire)
            )
    with django_assert_num_queries(8):
        data = compute_served(ids, now=timezone.now())
    assert data["figures"]["received"] == 5
    assert data["departments"][0]["open"] == 5


def test_concurrent_changes_in_the_same_buildings_neither_deadlock_nor_drift(
    transactional_db: None, cast: factories.Cast
) -> None:
    """Four connections change different demands of the same two buildings at once (assign, resolve,
    reopen, moves between the buildings both ways): the upserts lock rows in one order (tables, then
    sorted keys), so no transaction deadlocks, and the rollups still equal a recount."""
    import random
    import threading

    from django.db import connection

    from buildings.models import User

    towers = [cast.tower_a, cast.tower_b]
    per_thread = [[factories.make_demand(towers[(t + i) % 2], cast.category).pk for i in range(4)] for t in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(4, timeout=20)

    def run(t: int) -> None:
        rng = random.Random(t)
        try:
            superuser = User.objects.get(pk=cast.superuser.pk)
            start.wait()
            for _ in range(12):
                demand = Demand.objects.get(pk=rng.choice(per_thread[t]))
                step = rng.choice(["move", Action.ASSIGN, Action.RESOLVE, Action.REOPEN])
                with contextlib.suppress(*REFUSED):
                    if step == "move":
                        other = towers[1] if demand.building_id == towers[0].pk else towers[0]
                        actions.demand_edit(demand=demand, actor=superuser, changes={"building": other})
                    else:
                        actions.demand_transition(
                            demand=demand,
                            action=step,
                            actor=superuser,
                            assignee=actions.Assignee(department=cast.fire) if step == Action.ASSIGN else None,
                            outcome=Outcome.SOLVED,
                            note="办理说明",
                        )
        except BaseException as exc:  # collected: a deadlock would surface here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    maintained = _rows()
    rebuild_tallies()
    assert _rows() == maintained


def test_a_change_sums_again_the_chunk_of_its_building_only(
    cast: factories.Cast, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    """Chunks of one building: after a change in Shanghai Tower, the district's figures read its
    rollups again (one building in the queries' arrays) and Jin Mao's from the cache, and equal the
    live ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(partials, "CHUNK", 1)
    demand = factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_b, cast.category)
    district = {cast.tower_a.pk, cast.tower_b.pk}
    now = timezone.now()
    assert_served_equals_live(district, now)
    # Both chunks cached: the open demands, the departments, the names of the ranked buildings and of
    # the categories.
    with django_assert_num_queries(4):
        compute_served(district, now=now)
    with _committed():
        actions.demand_transition(
            demand=demand, action=Action.ASSIGN, actor=cast.superuser, assignee=actions.Assignee(department=cast.fire)
        )
    with CaptureQueriesContext(connection) as queries:
        assert_served_equals_live(district, timezone.now())
    rollups = [q["sql"] for q in queries.captured_queries if "unnest(" in q["sql"]]
    assert len(rollups) == 4 and all(f"'{{{cast.tower_a.pk}}}'" in sql for sql in rollups), rollups
