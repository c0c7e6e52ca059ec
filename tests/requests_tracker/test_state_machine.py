"""The demand invariants as a hypothesis state machine, on real PostgreSQL.

Random sequences of submit, assign, start, resolve, reopen, hand back, merge, moderate, edit (moving
buildings too), support and not-solved, by random actors allowed or not. After every step:
- every building's tallies equal a recount of its demands;
- the status-changing events of each demand form one unbroken chain that ends at its status (so every
  status change has exactly one timeline event);
- each demand's version went up by exactly one per change the model counted;
- a refused step changed nothing (the demand row and its timeline are as before).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from requests_tracker import actions
from requests_tracker.models import Demand, DemandEvent, DemandTally
from requests_tracker.workflow import Action, Outcome, Status
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ACTORS = ("captain_a", "captain_b", "dept_staff", "district_staff", "resident", "superuser")
REFUSED = (actions.TransitionError, ValidationError)


def _snapshot(demand_id: int) -> tuple[dict[str, Any], int]:
    demand = Demand.objects.get(pk=demand_id)
    return model_to_dict(demand), DemandEvent.objects.filter(demand_id=demand_id).count()


class DemandMachine(RuleBasedStateMachine):
    cast: factories.Cast

    def __init__(self) -> None:
        super().__init__()
        self.demands: list[int] = []
        self.versions: dict[int, int] = {}

    # --- helpers ---------------------------------------------------------------------------

    def _actor(self, name: str) -> Any:
        return getattr(self.cast, name)

    def _attempt(self, demand_id: int, step: Any, *, bumps: bool = True) -> None:
        """Runs `step`; when it is refused, nothing may have changed; when it succeeds, the version
        moved by exactly one (or not at all for steps that do not version the demand)."""
        before = _snapshot(demand_id)
        try:
            step()
        except REFUSED:
            assert _snapshot(demand_id) == before, "a refused step changed the demand"
            return
        if bumps:
            self.versions[demand_id] += 1

    def _pick(self, data: Any) -> int:
        return data.draw(st.sampled_from(self.demands))

    # --- rules -----------------------------------------------------------------------------

    @rule(where=st.sampled_from(["tower_a", "tower_b"]), public=st.booleans())
    def submit(self, where: str, public: bool) -> None:
        demand = factories.make_demand(getattr(self.cast, where), self.cast.category, is_public=public)
        self.demands.append(demand.pk)
        self.versions[demand.pk] = demand.version

    @precondition(lambda self: self.demands)
    @rule(
        data=st.data(),
        action=st.sampled_from([Action.ASSIGN, Action.START, Action.RESOLVE, Action.REOPEN, Action.HAND_BACK]),
        actor=st.sampled_from(ACTORS),
        to_member=st.booleans(),
        outcome=st.sampled_from([*Outcome.values, ""]),
        note=st.sampled_from(["", "已处理", "not ours"]),
    )
    def transition(self, data: Any, action: str, actor: str, to_member: bool, outcome: str, note: str) -> None:
        pk = self._pick(data)
        demand = Demand.objects.select_related("building__council").get(pk=pk)
        assignee = None
        if action == Action.ASSIGN:
            member = self.cast.member_a if demand.building_id == self.cast.tower_a.pk else None
            assignee = (
                actions.Assignee(member=member) if to_member and member else actions.Assignee(department=self.cast.fire)
            )

        def step() -> None:
            actions.demand_transition(
                demand=demand, action=action, actor=self._actor(actor), assignee=assignee, outcome=outcome, note=note
            )

        self._attempt(pk, step)

    @precondition(lambda self: len(self.demands) >= 2)
    @rule(data=st.data(), actor=st.sampled_from(ACTORS))
    def merge(self, data: Any, actor: str) -> None:
        pk, into_pk = data.draw(st.lists(st.sampled_from(self.demands), min_size=2, max_size=2, unique=True))
        demand = Demand.objects.select_related("building__council").get(pk=pk)
        into = Demand.objects.get(pk=into_pk)

        def step() -> None:
            actions.demand_merge(demand=demand, into=into, actor=self._actor(actor))

        self._attempt(pk, step)  # the target's version stays: only its supports and timeline move

    @precondition(lambda self: self.demands)
    @rule(data=st.data(), actor=st.sampled_from(ACTORS), hide=st.booleans(), reason=st.sampled_from(["", "含手机号"]))
    def moderate(self, data: Any, actor: str, hide: bool, reason: str) -> None:
        pk = self._pick(data)
        demand = Demand.objects.select_related("building__council").get(pk=pk)

        def step() -> None:
            actions.demand_moderate(demand=demand, actor=self._actor(actor), reason=reason, is_hidden=hide)

        self._attempt(pk, step)

    @precondition(lambda self: self.demands)
    @rule(
        data=st.data(),
        actor=st.sampled_from(ACTORS),
        where=st.sampled_from(["tower_a", "tower_b"]),
        floor=st.sampled_from([None, 5, 100, 0]),
    )
    def edit(self, data: Any, actor: str, where: str, floor: int | None) -> None:
        pk = self._pick(data)
        demand = Demand.objects.select_related("building__council", "category").get(pk=pk)
        changes = {"building": getattr(self.cast, where), "floor": floor}
        will_change = demand.building_id != changes["building"].pk or demand.floor != floor

        def step() -> None:
            actions.demand_edit(demand=demand, actor=self._actor(actor), changes=changes)

        self._attempt(pk, step, bumps=will_change)

    @precondition(lambda self: self.demands)
    @rule(data=st.data(), key=st.sampled_from(["browser-1", "browser-2"]))
    def support(self, data: Any, key: str) -> None:
        pk = self._pick(data)
        actions.demand_support(demand=Demand.objects.get(pk=pk), client_key=key)

    @precondition(lambda self: self.demands)
    @rule(data=st.data())
    def not_solved(self, data: Any) -> None:
        pk = self._pick(data)
        self._attempt(
            pk,
            lambda: actions.demand_report_not_solved(demand=Demand.objects.get(pk=pk), reason="柜子还没装"),
            bumps=False,
        )

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def tallies_equal_a_recount(self) -> None:
        tallies = {(t.building_id, t.status, t.outcome): t.n for t in DemandTally.objects.exclude(n=0)}
        recount: dict[tuple[int, str, str], int] = {}
        for building_id, status, outcome in Demand.objects.values_list("building_id", "status", "outcome"):
            key = (building_id, status, outcome)
            recount[key] = recount.get(key, 0) + 1
        assert tallies == recount

    @invariant()
    def every_status_change_has_one_event(self) -> None:
        for demand in Demand.objects.filter(pk__in=self.demands):
            chain = list(
                demand.events.exclude(to_status="").order_by("created_at", "id").values_list("from_status", "to_status")
            )
            assert chain[0] == ("", Status.SUBMITTED)
            for (_f, previous_to), (from_status, _t) in pairwise(chain):
                assert from_status == previous_to, chain
            assert chain[-1][1] == demand.status

    @invariant()
    def versions_moved_once_per_change(self) -> None:
        actual = dict(Demand.objects.filter(pk__in=self.demands).values_list("pk", "version"))
        assert actual == self.versions


def test_demand_invariants_hold_for_random_histories(cast: factories.Cast) -> None:
    DemandMachine.cast = cast
    run_state_machine_as_test(
        DemandMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
