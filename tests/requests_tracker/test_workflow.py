"""The demand workflow: every action from every status, who may take it, what it needs and what it writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.utils import timezone, translation

from buildings.models import CouncilMember, User
from requests_tracker import access, actions, selectors, workflow
from requests_tracker.actions import Assignee, TransitionError
from requests_tracker.models import Demand, DemandEvent
from requests_tracker.workflow import Action, Outcome, Role, Status
from tests import factories
from tests.requests_tracker import demand_helpers

pytestmark = pytest.mark.django_db

DemandAt = Callable[..., Demand]


@pytest.fixture
def demand_at(cast: factories.Cast) -> DemandAt:
    """`demand_at(status, building=..., assignee=...)`: a Shanghai Tower demand assigned to fire by default."""
    return partial(demand_helpers.demand_at, cast)


# --- the spec, written out -------------------------------------------------------------------
# Where each action leads from each status; None: not allowed from there. A change to the
# workflow table that departs from this fails the spec tests below, not only the table ones.
SPEC: dict[str, dict[str, str | None]] = {
    "assign": {"submitted": "assigned", "assigned": "assigned", "in_progress": "assigned", "resolved": None},
    "start": {"submitted": None, "assigned": "in_progress", "in_progress": None, "resolved": None},
    "resolve": {"submitted": None, "assigned": "resolved", "in_progress": "resolved", "resolved": None},
    "reopen": {"submitted": None, "assigned": None, "in_progress": None, "resolved": "in_progress"},
    "hand_back": {"submitted": None, "assigned": "submitted", "in_progress": "submitted", "resolved": None},
    "merge": {"submitted": "resolved", "assigned": "resolved", "in_progress": "resolved", "resolved": None},
}
SPEC_ROLES: dict[str, set[str]] = {
    "assign": {"triager", "superuser"},
    "start": {"assignee", "triager", "superuser"},
    "resolve": {"assignee", "triager", "superuser"},
    "reopen": {"triager", "superuser"},
    "hand_back": {"assignee", "superuser"},
    "merge": {"triager", "superuser"},
}
SPEC_STAMP: dict[str, str | None] = {
    "assign": "assigned_at",
    "start": "started_at",
    "resolve": "resolved_at",
    "reopen": None,
    "hand_back": None,
    "merge": "resolved_at",
}
SPEC_EVENT_KIND = {
    "assign": "assigned",
    "start": "started",
    "resolve": "resolved",
    "reopen": "reopened",
    "hand_back": "handed_back",
    "merge": "merged",
}
STAMPS = ("assigned_at", "started_at", "resolved_at")
NOTE = "已与物业协商，外卖柜将于下周安装。"


def test_workflow_table_matches_the_spec() -> None:
    assert set(workflow.TRANSITIONS) == set(SPEC)
    for action, row in SPEC.items():
        transition = workflow.TRANSITIONS[action]
        assert transition.sources == {s for s, target in row.items() if target}, action
        assert {row[s] for s in transition.sources} == {transition.target}, action
        assert {str(r) for r in transition.roles} == SPEC_ROLES[action], action
        assert transition.stamps == SPEC_STAMP[action], action


def _params(action: str, cast: factories.Cast) -> dict[str, Any]:
    """Valid parameters for `action`, so the status is the only thing that can stop it."""
    if action == Action.ASSIGN:
        return {"assignee": Assignee(member=cast.plain_member_a)}
    if action == Action.RESOLVE:
        return {"outcome": Outcome.PROPOSAL, "note": NOTE}
    if action == Action.REOPEN:
        return {"note": "住户反映取餐柜仍未安装。"}
    if action == Action.HAND_BACK:
        return {"note": "不属于消防职责，请转交物业。"}
    if action == Action.MERGE:
        return {"into": factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼")}
    return {}


def _check_pair(action: str, from_status: str, target: str | None, cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(from_status)
    params = _params(action, cast)
    before = Demand.objects.get(pk=demand.pk)
    events_before = DemandEvent.objects.count()
    at = timezone.now() + timedelta(hours=1)

    if target is None:
        with pytest.raises(TransitionError) as excinfo:
            actions.demand_transition(demand=demand, action=action, actor=cast.superuser, at=at, **params)
        assert excinfo.value.code == "invalid_state"
        assert DemandEvent.objects.count() == events_before
        after = Demand.objects.get(pk=demand.pk)
        assert (after.status, after.version, after.updated_at) == (before.status, before.version, before.updated_at)
        return

    result = actions.demand_transition(demand=demand, action=action, actor=cast.superuser, at=at, **params)
    after = Demand.objects.get(pk=demand.pk)
    assert after.status == result.status == target
    assert after.version == before.version + 1
    assert after.updated_at == at
    # A merge also tells the demand it was merged into (its own timeline), so two events.
    assert DemandEvent.objects.count() == events_before + (2 if action == Action.MERGE else 1)
    event = DemandEvent.objects.filter(demand=demand).latest("id")
    assert event.demand_id == demand.pk
    assert event.kind == SPEC_EVENT_KIND[action]
    assert (event.from_status, event.to_status) == (from_status, target)
    assert event.actor == cast.superuser
    assert event.created_at == at
    assert event.is_public

    expected_stamps = {name: getattr(before, name) for name in STAMPS}
    if action == Action.ASSIGN:
        # First-response time: only the first assignment stamps it; reassignments keep it.
        expected_stamps["assigned_at"] = at if from_status == Status.SUBMITTED else before.assigned_at
        assert expected_stamps["assigned_at"] is not None
        assert (after.assignee_member, after.assignee_department) == (cast.plain_member_a, None)
    elif action == Action.START:
        expected_stamps["started_at"] = at
    elif action == Action.RESOLVE:
        expected_stamps["resolved_at"] = at
        assert (after.outcome, after.resolution_note) == (Outcome.PROPOSAL, NOTE)
    elif action == Action.REOPEN:
        expected_stamps["resolved_at"] = None
        assert (after.outcome, after.resolution_note) == ("", "")
        assert after.assignee_department == cast.fire  # back to the same assignee
    elif action == Action.HAND_BACK:
        # Back in the council's queue, unassigned; the first response time stays measured.
        expected_stamps["started_at"] = None
        assert (after.assignee_member, after.assignee_department) == (None, None)
        assert after.assigned_at == before.assigned_at
        assert event.note == "不属于消防职责，请转交物业。"
    elif action == Action.MERGE:
        expected_stamps["resolved_at"] = at
        assert (after.outcome, after.duplicate_of) == (Outcome.DUPLICATE, params["into"])
    assert {name: getattr(after, name) for name in STAMPS} == expected_stamps


@pytest.mark.parametrize(
    ("action", "from_status", "target"),
    [
        pytest.param(
            t.action,
            s,
            t.target if s in t.sources else None,
            id=f"{t.action}-from-{s}-{'allowed' if s in t.sources else 'invalid'}",
        )
        for t in workflow.TRANSITIONS.values()
        for s in Status
    ],
)
def test_action_from_status_follows_the_table(
    action: str, from_status: str, target: str | None, cast: factories.Cast, demand_at: DemandAt
) -> None:
    _check_pair(action, from_status, target, cast, demand_at)


@pytest.mark.parametrize(
    ("action", "from_status", "target"),
    [
        pytest.param(action, s, target, id=f"{action}-from-{s}-{'allowed' if target else 'invalid'}")
        for action, row in SPEC.items()
        for s, target in row.items()
    ],
)
def test_action_from_status_follows_the_spec(
    action: str, from_status: str, target: str | None, cast: factories.Cast, demand_at: DemandAt
) -> None:
    _check_pair(action, from_status, target, cast, demand_at)


# --- who may do what -------------------------------------------------------------------------

ALL = frozenset(SPEC)
#: A triager routes; only the assignee hands a demand back ("not ours").
TRIAGE = ALL - {"hand_back"}
WORK = frozenset({"start", "resolve", "hand_back"})
NONE: frozenset[str] = frozenset()

#: Where a demand is and who it is assigned to.
PLACEMENTS = ("shanghai_tower/fire", "jin_mao/fire", "shanghai_tower/member_a", "shanghai_tower/police")
#: Actor → placement → the actions they may take there.
PERMITTED: dict[str, dict[str, frozenset[str]]] = {
    "captain_a": {
        "shanghai_tower/fire": TRIAGE,
        "jin_mao/fire": NONE,
        "shanghai_tower/member_a": TRIAGE,
        "shanghai_tower/police": TRIAGE,
    },
    "captain_b": {
        "shanghai_tower/fire": NONE,
        "jin_mao/fire": TRIAGE,
        "shanghai_tower/member_a": NONE,
        "shanghai_tower/police": NONE,
    },
    "member_a": {
        "shanghai_tower/fire": NONE,
        "jin_mao/fire": NONE,
        "shanghai_tower/member_a": WORK,
        "shanghai_tower/police": NONE,
    },
    "dept_staff": {
        "shanghai_tower/fire": WORK,
        "jin_mao/fire": WORK,
        "shanghai_tower/member_a": NONE,
        "shanghai_tower/police": NONE,
    },
    "district_staff": dict.fromkeys(PLACEMENTS, NONE),
    "resident": dict.fromkeys(PLACEMENTS, NONE),
    "anonymous": dict.fromkeys(PLACEMENTS, NONE),
    "superuser": dict.fromkeys(PLACEMENTS, ALL),
}
#: The status each action is tried from (assign is tried as a reassignment, so assignees are tested too).
TRIED_FROM = {
    "assign": "assigned",
    "start": "assigned",
    "resolve": "in_progress",
    "reopen": "resolved",
    "hand_back": "in_progress",
    "merge": "in_progress",
}
ROLE_CELLS = [
    pytest.param(actor, placement, action, action in PERMITTED[actor][placement], id=f"{actor}-{action}-{placement}")
    for actor in PERMITTED
    for placement in PLACEMENTS
    for action in SPEC
]


def _actor(cast: factories.Cast, name: str) -> User | None:
    if name == "anonymous":
        return None
    if name == "member_a":
        return cast.plain_member_user
    return getattr(cast, name)


def _placed(placement: str, status: str, cast: factories.Cast, demand_at: DemandAt) -> Demand:
    building_name, assignee_name = placement.split("/")
    building = cast.tower_a if building_name == "shanghai_tower" else cast.tower_b
    assignee = {
        "fire": Assignee(department=cast.fire),
        "member_a": Assignee(member=cast.plain_member_a),
        "police": Assignee(department=factories.DepartmentFactory(code="police", name="区公安分局")),
    }[assignee_name]
    return demand_at(status, building=building, assignee=assignee)


@pytest.mark.parametrize(("actor_name", "placement", "action", "permitted"), ROLE_CELLS)
def test_role_matrix(
    actor_name: str, placement: str, action: str, permitted: bool, cast: factories.Cast, demand_at: DemandAt
) -> None:
    demand = _placed(placement, TRIED_FROM[action], cast, demand_at)
    actor = _actor(cast, actor_name)
    scope = selectors.actor_scope(actor)
    # The buttons (admin, API `allowed_actions`) and the action itself must agree.
    assert access.is_permitted(scope, demand, action) is permitted
    if not workflow.TRANSITIONS[action].takes_a_target:  # merge has its own form, not a button
        assert (action in [t.action for t in access.allowed_actions(scope, demand)]) is permitted

    params = _params(action, cast)
    if action == Action.ASSIGN:
        market = factories.DepartmentFactory(code="market", name="区市场监管局")
        params = {"assignee": Assignee(department=market)}
    if action == Action.MERGE:
        params = {"into": factories.make_demand(demand.building, cast.category, title="外卖送不上楼")}
    events_before, version_before = DemandEvent.objects.count(), demand.version
    if permitted:
        result = actions.demand_transition(demand=demand, action=action, actor=actor, **params)
        assert result.status == workflow.TRANSITIONS[action].target
        assert Demand.objects.get(pk=demand.pk).version == version_before + 1
        assert DemandEvent.objects.count() == events_before + (2 if action == Action.MERGE else 1)
        assert DemandEvent.objects.filter(demand=demand).latest("id").actor == actor
    else:
        with pytest.raises(TransitionError) as excinfo:
            actions.demand_transition(demand=demand, action=action, actor=actor, **params)
        assert excinfo.value.code == "forbidden"
        assert DemandEvent.objects.count() == events_before
        assert Demand.objects.get(pk=demand.pk).version == version_before


def test_captain_cannot_triage_other_building(cast: factories.Cast, demand_at: DemandAt) -> None:
    jin_mao_demand = demand_at(Status.SUBMITTED, building=cast.tower_b)
    with pytest.raises(TransitionError) as excinfo:
        actions.demand_transition(
            demand=jin_mao_demand, action="assign", actor=cast.captain_a, assignee=Assignee(department=cast.fire)
        )
    assert excinfo.value.code == "forbidden"
    assert Demand.objects.get(pk=jin_mao_demand.pk).status == Status.SUBMITTED


def test_member_allowed_to_triage_may_assign_in_own_building_only(cast: factories.Cast, demand_at: DemandAt) -> None:
    CouncilMember.objects.filter(pk=cast.plain_member_a.pk).update(can_triage=True)
    own = demand_at(Status.SUBMITTED)
    other = demand_at(Status.SUBMITTED, building=cast.tower_b)

    assigned = actions.demand_transition(
        demand=own, action="assign", actor=cast.plain_member_user, assignee=Assignee(department=cast.fire)
    )
    assert assigned.status == Status.ASSIGNED
    with pytest.raises(TransitionError) as excinfo:
        actions.demand_transition(
            demand=other, action="assign", actor=cast.plain_member_user, assignee=Assignee(department=cast.fire)
        )
    assert excinfo.value.code == "forbidden"


def test_economic_captain_triages_without_being_granted_it(cast: factories.Cast, demand_at: DemandAt) -> None:
    user = factories.UserFactory(username="economic_captain")
    factories.CouncilMemberFactory(
        council=cast.tower_a.council, user=user, role=CouncilMember.Role.ECONOMIC_CAPTAIN, can_triage=False
    )
    demand = actions.demand_transition(
        demand=demand_at(Status.SUBMITTED), action="assign", actor=user, assignee=Assignee(department=cast.fire)
    )
    assert demand.status == Status.ASSIGNED


@pytest.mark.parametrize(
    ("term_start_days", "term_end_days", "permitted"),
    [
        pytest.param(-400, -1, False, id="term-ended-yesterday"),
        pytest.param(1, 400, False, id="term-starts-tomorrow"),
        pytest.param(-400, 0, True, id="last-day-of-term"),
        pytest.param(0, 400, True, id="first-day-of-term"),
    ],
)
def test_captain_acts_only_during_term(
    term_start_days: int, term_end_days: int, permitted: bool, cast: factories.Cast, demand_at: DemandAt
) -> None:
    today = timezone.localdate()
    CouncilMember.objects.filter(pk=cast.member_a.pk).update(
        term_start=today + timedelta(days=term_start_days), term_end=today + timedelta(days=term_end_days)
    )
    demand = demand_at(Status.SUBMITTED)
    if permitted:
        demand = actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=Assignee(department=cast.fire)
        )
        assert demand.status == Status.ASSIGNED
    else:
        with pytest.raises(TransitionError) as excinfo:
            actions.demand_transition(
                demand=demand, action="assign", actor=cast.captain_a, assignee=Assignee(department=cast.fire)
            )
        assert excinfo.value.code == "forbidden"


def test_deactivated_account_cannot_act(cast: factories.Cast, demand_at: DemandAt) -> None:
    User.objects.filter(pk=cast.captain_a.pk).update(is_active=False)
    captain = User.objects.get(pk=cast.captain_a.pk)
    with pytest.raises(TransitionError) as excinfo:
        actions.demand_transition(
            demand=demand_at(Status.SUBMITTED), action="assign", actor=captain, assignee=Assignee(department=cast.fire)
        )
    assert excinfo.value.code == "forbidden"


def test_roles_of_cast_on_a_shanghai_tower_demand_assigned_to_fire(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.ASSIGNED)
    roles = {
        name: access.roles_of(selectors.actor_scope(_actor(cast, name)), demand)
        for name in ("captain_a", "captain_b", "member_a", "dept_staff", "district_staff", "resident", "superuser")
    }
    assert roles == {
        "captain_a": {Role.TRIAGER},
        "captain_b": set(),
        "member_a": set(),
        "dept_staff": {Role.ASSIGNEE},
        "district_staff": set(),
        "resident": set(),
        "superuser": {Role.SUPERUSER},
    }


# --- required parameters ---------------------------------------------------------------------


def _assert_refused(
    demand: Demand, *, code: str, field: str | None = None, actor: User | None = None, **kwargs: Any
) -> TransitionError:
    before = Demand.objects.get(pk=demand.pk)
    events_before = DemandEvent.objects.count()
    with pytest.raises(TransitionError) as excinfo:
        actions.demand_transition(demand=demand, actor=actor, **kwargs)
    assert excinfo.value.code == code
    assert excinfo.value.field == field
    assert excinfo.value.message
    assert DemandEvent.objects.count() == events_before
    after = Demand.objects.get(pk=demand.pk)
    assert (after.status, after.version, after.assignee_member_id, after.assignee_department_id) == (
        before.status,
        before.version,
        before.assignee_member_id,
        before.assignee_department_id,
    )
    return excinfo.value


def test_assign_needs_a_member_or_a_department(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.SUBMITTED)
    _assert_refused(demand, action="assign", actor=cast.captain_a, code="invalid", field="assignee")
    _assert_refused(
        demand, action="assign", actor=cast.captain_a, assignee=Assignee(), code="invalid", field="assignee"
    )


def test_assign_refuses_both_a_member_and_a_department(cast: factories.Cast, demand_at: DemandAt) -> None:
    _assert_refused(
        demand_at(Status.SUBMITTED),
        action="assign",
        actor=cast.captain_a,
        assignee=Assignee(member=cast.plain_member_a, department=cast.fire),
        code="invalid",
        field="assignee",
    )


def test_assign_refuses_a_member_of_another_buildings_council(cast: factories.Cast, demand_at: DemandAt) -> None:
    jin_mao_member = factories.CouncilMemberFactory(council=cast.tower_b.council, display_name="赵委员")
    error = _assert_refused(
        demand_at(Status.SUBMITTED),
        action="assign",
        actor=cast.captain_a,
        assignee=Assignee(member=jin_mao_member),
        code="invalid",
        field="assignee",
    )
    assert "赵委员" in error.message


def test_assign_refuses_a_member_whose_term_ended(cast: factories.Cast, demand_at: DemandAt) -> None:
    # Nobody could act on it: a member out of office has no reach (see actor_scope).
    today = timezone.localdate()
    CouncilMember.objects.filter(pk=cast.plain_member_a.pk).update(
        term_start=today - timedelta(days=800), term_end=today - timedelta(days=1)
    )
    _assert_refused(
        demand_at(Status.SUBMITTED),
        action="assign",
        actor=cast.captain_a,
        assignee=Assignee(member=CouncilMember.objects.get(pk=cast.plain_member_a.pk)),
        code="invalid",
        field="assignee",
    )


def test_assign_refuses_an_inactive_department(cast: factories.Cast, demand_at: DemandAt) -> None:
    closed = factories.DepartmentFactory(code="closed", is_active=False)
    _assert_refused(
        demand_at(Status.SUBMITTED),
        action="assign",
        actor=cast.captain_a,
        assignee=Assignee(department=closed),
        code="invalid",
        field="assignee",
    )


@pytest.mark.parametrize("outcome", ["", "fixed", "SOLVED"])
def test_resolve_needs_an_outcome_from_the_list(outcome: str, cast: factories.Cast, demand_at: DemandAt) -> None:
    _assert_refused(
        demand_at(Status.IN_PROGRESS),
        action="resolve",
        actor=cast.captain_a,
        outcome=outcome,
        note=NOTE,
        code="invalid",
        field="outcome",
    )


@pytest.mark.parametrize("note", ["", "   \n "])
def test_resolve_needs_a_note(note: str, cast: factories.Cast, demand_at: DemandAt) -> None:
    _assert_refused(
        demand_at(Status.IN_PROGRESS),
        action="resolve",
        actor=cast.captain_a,
        outcome=Outcome.SOLVED,
        note=note,
        code="invalid",
        field="note",
    )


@pytest.mark.parametrize("note", ["", "  "])
def test_reopen_needs_a_note(note: str, cast: factories.Cast, demand_at: DemandAt) -> None:
    _assert_refused(
        demand_at(Status.RESOLVED), action="reopen", actor=cast.captain_a, note=note, code="invalid", field="note"
    )


def test_unknown_action_is_refused(cast: factories.Cast, demand_at: DemandAt) -> None:
    _assert_refused(demand_at(Status.SUBMITTED), action="close", actor=cast.superuser, code="invalid", field="action")


def test_stale_expected_version_is_refused(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.ASSIGNED)
    _assert_refused(demand, action="start", actor=cast.captain_a, expected_version=demand.version - 1, code="stale")


def test_stale_copy_of_the_demand_is_refused(cast: factories.Cast, demand_at: DemandAt) -> None:
    """Someone else moved the demand after this copy was loaded: the copy may not overwrite it."""
    demand = demand_at(Status.ASSIGNED)
    stale_copy = Demand.objects.get(pk=demand.pk)
    actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=Assignee(member=cast.plain_member_a)
    )
    _assert_refused(stale_copy, action="start", actor=cast.dept_staff, code="stale")


def test_stale_copy_in_the_same_status_is_refused(cast: factories.Cast, demand_at: DemandAt) -> None:
    """Two captains reassign from the same page: the status is unchanged, the version catches it."""
    demand = demand_at(Status.ASSIGNED)
    first, second = Demand.objects.get(pk=demand.pk), Demand.objects.get(pk=demand.pk)
    actions.demand_transition(
        demand=first, action="assign", actor=cast.captain_a, assignee=Assignee(member=cast.plain_member_a)
    )
    _assert_refused(
        second, action="assign", actor=cast.superuser, assignee=Assignee(department=cast.fire), code="stale"
    )


# --- the timeline ----------------------------------------------------------------------------


def test_first_response_time_survives_reassignment_and_reopening(cast: factories.Cast) -> None:
    t0 = timezone.now()
    demand = factories.make_demand(cast.tower_a, cast.category, at=t0)
    steps: list[tuple[str, User, dict[str, Any]]] = [
        ("assign", cast.captain_a, {"assignee": Assignee(department=cast.fire)}),
        ("assign", cast.captain_a, {"assignee": Assignee(member=cast.plain_member_a)}),
        ("start", cast.plain_member_user, {}),
        ("resolve", cast.plain_member_user, {"outcome": Outcome.SOLVED, "note": NOTE}),
        ("reopen", cast.captain_a, {"note": "又坏了"}),
        ("assign", cast.captain_a, {"assignee": Assignee(department=cast.fire)}),
    ]
    for hours, (action, actor, params) in enumerate(steps, start=1):
        demand = actions.demand_transition(
            demand=demand, action=action, actor=actor, at=t0 + timedelta(hours=hours), **params
        )
    assert demand.assigned_at == t0 + timedelta(hours=1)
    assert demand.status == Status.ASSIGNED
    assert demand.version == 1 + len(steps)
    assert list(demand.events.values_list("kind", flat=True)) == [
        "submitted",
        "assigned",
        "assigned",
        "started",
        "resolved",
        "reopened",
        "assigned",
    ]


def test_department_can_finish_a_reopened_demand(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.RESOLVED)
    demand = actions.demand_transition(demand=demand, action="reopen", actor=cast.captain_a, note="住户说仍有问题")
    demand = actions.demand_transition(
        demand=demand, action="resolve", actor=cast.dept_staff, outcome=Outcome.SOLVED, note="已复查并整改"
    )
    assert (demand.status, demand.outcome, demand.resolution_note) == (Status.RESOLVED, Outcome.SOLVED, "已复查并整改")


@pytest.mark.parametrize("actor_language", ["zh-hans", "en"])
def test_timeline_names_the_council_or_department_not_the_person(
    actor_language: str, cast: factories.Cast, demand_at: DemandAt
) -> None:
    """Stored once, read by everyone: in Chinese even when the staff member works in English."""
    demand = demand_at(Status.SUBMITTED)
    with translation.override(actor_language):
        demand = actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=Assignee(department=cast.fire)
        )
        demand = actions.demand_transition(demand=demand, action="start", actor=cast.dept_staff)
    events = list(demand.events.exclude(kind="submitted"))
    assert [e.actor_label for e in events] == ["上海中心大厦楼事会", "区消防救援支队"]
    assert events[0].data["assignee"] == "区消防救援支队"


def test_resident_cannot_add_a_note(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.SUBMITTED)
    with pytest.raises(TransitionError) as excinfo:
        actions.demand_add_note(demand=demand, actor=cast.resident, note="催一下", is_public=True)
    assert excinfo.value.code == "forbidden"
    assert demand.events.count() == 1


def test_assignee_adds_an_internal_note_without_changing_status(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.ASSIGNED)
    event = actions.demand_add_note(demand=demand, actor=cast.dept_staff, note="需现场勘查", is_public=False)
    after = Demand.objects.get(pk=demand.pk)
    assert (after.status, after.version) == (demand.status, demand.version)
    assert (event.kind, event.is_public, event.actor_label) == ("note", False, "区消防救援支队")


# --- reopening a demand nobody held ------------------------------------------------------------
# Found by the state machine (test_state_machine.py): a demand merged as a duplicate straight from
# triage, then reopened, went to "in progress" with no assignee — the database's check refused it and
# the captain got a 500. It goes back to triage instead.


def test_reopening_a_demand_nobody_held_sends_it_back_to_triage(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    into = factories.make_demand(cast.tower_a, cast.category)
    actions.demand_merge(demand=demand, into=into, actor=cast.captain_a)  # a duplicate, straight from triage
    demand.refresh_from_db()
    assert demand.status == Status.RESOLVED and demand.assignee_department_id is None

    reopened = actions.demand_transition(
        demand=demand, action="reopen", actor=cast.captain_a, note="其实是同一栋楼的问题"
    )

    assert reopened.status == Status.SUBMITTED and reopened.outcome == "" and reopened.resolved_at is None
    event = reopened.events.order_by("-id").first()
    assert event is not None and (event.kind, event.from_status, event.to_status) == (
        "reopened",
        "resolved",
        "submitted",
    )
    # Triage goes on from there as for any new demand.
    assigned = actions.demand_transition(
        demand=reopened, action="assign", actor=cast.captain_a, assignee=Assignee(department=cast.fire)
    )
    assert assigned.status == Status.ASSIGNED


def test_reopening_a_held_demand_keeps_it_in_progress(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.RESOLVED)
    reopened = actions.demand_transition(demand=demand, action="reopen", actor=cast.captain_a, note="还没修好")
    assert reopened.status == Status.IN_PROGRESS and reopened.assignee_department_id == cast.fire.pk
