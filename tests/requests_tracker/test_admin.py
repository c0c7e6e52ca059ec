"""The admin: every page opens, each user sees and may do exactly what the workflow table allows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from buildings.models import Company
from requests_tracker import access, actions, selectors
from requests_tracker.models import Demand, DemandEvent, ResponseTemplate
from tests import factories
from tests.requests_tracker.htmlforms import Form, form_by_id, forms_in

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------------


def client_for(user: Any | None) -> Client:
    # In English, so that the messages read the same whatever the Chinese catalog says.
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def change_url(demand: Demand) -> str:
    return reverse("admin:requests_tracker_demand_change", args=[demand.pk])


def transition_url(demand: Demand) -> str:
    return reverse("admin:requests_tracker_demand_transition", args=[demand.pk])


def transition_forms(html: str, demand: Demand) -> list[Form]:
    return [f for f in forms_in(html) if f.action == transition_url(demand)]


def offered_actions(html: str, demand: Demand) -> list[str]:
    return [f.data["action"] for f in transition_forms(html, demand)]


def post_transition(client: Client, demand: Demand, action: str, **fields: Any) -> Any:
    data = {"action": action, f"{action}-action": action, f"{action}-version": demand.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(transition_url(demand), data, follow=True)


def error_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def assign_to_fire(demand: Demand, cast: factories.Cast) -> Demand:
    return actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )


def resolve(demand: Demand, cast: factories.Cast) -> Demand:
    return actions.demand_transition(
        demand=demand, action="resolve", actor=cast.captain_a, outcome="solved", note="Lockers installed at 1F."
    )


def snapshot(demand: Demand) -> tuple[Any, ...]:
    demand.refresh_from_db()
    return (demand.status, demand.version, demand.outcome, demand.events.count())


@pytest.fixture
def demand_a(cast: factories.Cast) -> Demand:
    return factories.make_demand(cast.tower_a, cast.category, title="Food deliveries cannot come upstairs")


@pytest.fixture
def demand_b(cast: factories.Cast) -> Demand:
    return factories.make_demand(cast.tower_b, cast.category, title="Jin Mao parking")


# --- every page opens ------------------------------------------------------------------------


def request_by(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _one_object_per_model(cast: factories.Cast, demand: Demand) -> None:
    Group.objects.get_or_create(name="captains")
    Token.objects.get_or_create(user=cast.captain_a)
    Company.objects.get_or_create(building=cast.tower_a, name="摩根大通")
    ResponseTemplate.objects.get_or_create(category=cast.category, title="已转交", body="已转交相关部门办理。")
    assign_to_fire(demand, cast)
    # The notification outbox's models (requests_tracker/admin/notifications.py); the demand's
    # submission and assignment already wrote Notification rows.
    from requests_tracker.models import ChannelOptOut, Escalation, WebhookEndpoint

    WebhookEndpoint.objects.create(name="楼事会工作群", url="http://127.0.0.1:9/robot", council=cast.tower_a.council)
    ChannelOptOut.objects.create(user=cast.captain_b, channel="email")
    Escalation.objects.create(demand=demand, step=0, level="captain", fired_at=demand.submitted_at)
    # Surveys (requests_tracker/surveys/admin.py): a survey, a batch of codes, a free-text answer.
    from requests_tracker.surveys import actions as survey_actions
    from tests.requests_tracker.surveys.helpers import make_survey
    from tests.requests_tracker.surveys.test_results import answer

    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = Company.objects.get(building=cast.tower_a, name="摩根大通")
    _batch, codes = survey_actions.codes_generate(survey=survey, company=company, count=1, actor=cast.captain_a)
    survey_actions.survey_respond(
        survey=survey, answers=answer(survey, single=0, picks=[], rating=3, ranking=[0, 1, 2], text="好"), code=codes[0]
    )
    # 楼长点点通's models: guide matter and hall service, a hall request, a question, category links.
    from tests.services.guide.conftest import one_of_each

    one_of_each(cast)
    # The three lists: a resource and a project (services/resources, requests_tracker/projects).
    from requests_tracker.projects.actions import project_create
    from services.resources.actions import resource_create
    from services.resources.models import Resource

    resource_create(
        actor=cast.captain_a,
        building=cast.tower_a,
        title="22F 党群服务站会议室",
        kind=Resource.Kind.values[0],
        provider_kind=Resource.Provider.values[0],
        provider_name="上海中心大厦物业",
    )
    project_create(actor=cast.captain_a, buildings=[cast.tower_a], title="1F 2号门智能加热外卖柜")
    # Elections (buildings/elections): a draft election.
    from datetime import timedelta

    from django.utils import timezone

    from buildings.access import actor_scope
    from buildings.elections.actions import election_create

    now = timezone.now()
    election_create(
        scope=actor_scope(cast.captain_a),
        actor=cast.captain_a,
        building=cast.tower_a,
        title="员工代表增补选举",
        seats=1,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=8),
    )
    # The login lockouts (django-axes, buildings/admin.py).
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="someone", ip_address="203.0.113.7", user_agent="", failures_since_start=2)
    # The access log of contact details shown (admin/contacts.py).
    actions.contact_reveal(demand=demand, actor=cast.captain_a)


def test_superuser_opens_changelist_add_and_change_page_of_every_registered_model(
    cast: factories.Cast, demand_a: Demand
) -> None:
    _one_object_per_model(cast, demand_a)
    client = client_for(cast.superuser)
    failures = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        obj = model_admin.get_queryset(request_by(cast.superuser)).first()
        assert obj is not None, f"no {model.__name__} to open"
        expected_add = 200 if model_admin.has_add_permission(request_by(cast.superuser)) else 403
        pages = [
            (changelist, 200),
            (changelist + "?q=1", 200),
            (changelist + "?q=上海", 200),
            (changelist + "?q=%00", 200),
            (reverse("admin:{}_{}_add".format(*info)), expected_add),
            (reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), 200),
        ]
        for url, expected in pages:
            status = client.get(url).status_code
            if status != expected:
                failures.append(f"{url}: {status} (expected {expected})")
    assert failures == []


# --- the transitions on the change page are the workflow table's ------------------------------


def _demand_in(state: str, cast: factories.Cast, demand: Demand) -> Demand:
    if state in ("assigned", "resolved"):
        demand = assign_to_fire(demand, cast)
    if state == "resolved":
        demand = resolve(demand, cast)
    return demand


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("captain_a", "submitted", ["assign"]),
        ("captain_a", "assigned", ["assign", "start", "resolve"]),
        ("captain_a", "resolved", ["reopen"]),
        ("dept_staff", "assigned", ["start", "resolve", "hand_back"]),
        ("superuser", "submitted", ["assign"]),
        ("district_staff", "assigned", []),
        ("plain_member_user", "assigned", []),
    ],
)
def test_change_page_offers_exactly_the_transitions_the_workflow_allows(
    cast: factories.Cast, demand_a: Demand, who: str, state: str, expected: list[str]
) -> None:
    demand = _demand_in(state, cast, demand_a)
    user = getattr(cast, who)

    response = client_for(user).get(change_url(demand))

    assert response.status_code == 200
    offered = offered_actions(response.content.decode(), demand)
    allowed = [str(t.action) for t in access.allowed_actions(selectors.actor_scope(user), demand)]
    assert offered == expected
    assert offered == allowed


def test_transition_buttons_carry_the_workflow_labels(cast: factories.Cast, demand_a: Demand) -> None:
    demand = assign_to_fire(demand_a, cast)

    html = client_for(cast.captain_a).get(change_url(demand)).content.decode()

    labels = [f.buttons[0][1] for f in transition_forms(html, demand)]
    assert labels == ["Assign", "Start work", "Resolve"]


def test_captain_sees_the_timeline_on_the_change_page(cast: factories.Cast, demand_a: Demand) -> None:
    actions.demand_add_note(demand=demand_a, actor=cast.captain_a, note="Called the property manager", is_public=False)

    response = client_for(cast.captain_a).get(change_url(demand_a))

    assert "Called the property manager" in response.content.decode()


# --- posting transitions -----------------------------------------------------------------------


def test_captain_assigns_through_the_admin_and_the_timeline_records_it(cast: factories.Cast, demand_a: Demand) -> None:
    response = post_transition(
        client_for(cast.captain_a), demand_a, "assign", assignee_department=cast.fire.pk, note="Fire doors"
    )

    demand_a.refresh_from_db()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == change_url(demand_a)
    assert (demand_a.status, demand_a.version, demand_a.assignee_department) == ("assigned", 2, cast.fire)
    event = demand_a.events.latest("id")
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "assigned",
        "submitted",
        "assigned",
        cast.captain_a,
    )
    assert error_messages(response) == []


def test_captain_assigns_to_a_council_member_of_the_building(cast: factories.Cast, demand_a: Demand) -> None:
    post_transition(client_for(cast.captain_a), demand_a, "assign", assignee_member=cast.plain_member_a.pk)

    demand_a.refresh_from_db()
    assert (demand_a.status, demand_a.assignee_member) == ("assigned", cast.plain_member_a)


def test_department_staff_starts_and_resolves_their_demand(cast: factories.Cast, demand_a: Demand) -> None:
    demand = assign_to_fire(demand_a, cast)
    client = client_for(cast.dept_staff)

    post_transition(client, demand, "start")
    demand.refresh_from_db()
    post_transition(client, demand, "resolve", outcome="solved", note="Fire exit cleared.")

    demand.refresh_from_db()
    assert (demand.status, demand.outcome, demand.resolution_note) == ("resolved", "solved", "Fire exit cleared.")
    assert [e.kind for e in demand.events.order_by("id")] == ["submitted", "assigned", "started", "resolved"]


def test_resolve_without_note_changes_nothing_and_says_why(cast: factories.Cast, demand_a: Demand) -> None:
    demand = assign_to_fire(demand_a, cast)
    before = snapshot(demand)

    response = post_transition(client_for(cast.captain_a), demand, "resolve", outcome="solved", note="  ")

    assert response.status_code == 200
    assert snapshot(demand) == before
    assert error_messages(response) == ["Write a public note for the resident: what was done, or the way forward."]


def test_stale_version_changes_nothing_and_says_someone_else_moved_it(cast: factories.Cast, demand_a: Demand) -> None:
    seen = Demand.objects.get(pk=demand_a.pk)  # what captain_a's page was rendered from
    moved = assign_to_fire(demand_a, cast)  # someone else was quicker
    before = snapshot(moved)

    response = post_transition(client_for(cast.captain_a), seen, "assign", assignee_member=cast.plain_member_a.pk)

    assert response.status_code == 200
    assert snapshot(moved) == before
    assert moved.assignee_department == cast.fire
    [message] = error_messages(response)
    assert "changed by someone else" in message


def test_department_staff_cannot_assign_through_a_forged_post(cast: factories.Cast, demand_a: Demand) -> None:
    demand = assign_to_fire(demand_a, cast)
    before = snapshot(demand)

    response = post_transition(client_for(cast.dept_staff), demand, "assign", assignee_member=cast.plain_member_a.pk)

    assert response.status_code == 200
    assert snapshot(demand) == before
    assert error_messages(response) == ["You may not assign this demand."]


def test_reopen_of_an_open_demand_changes_nothing_and_says_why(cast: factories.Cast, demand_a: Demand) -> None:
    before = snapshot(demand_a)

    response = post_transition(client_for(cast.captain_a), demand_a, "reopen", note="again")

    assert snapshot(demand_a) == before
    [message] = error_messages(response)
    assert "submitted" in message


@pytest.mark.parametrize(
    "data",
    [
        {"action": "delete"},
        {"action": "assign"},
        {"action": "assign", "assign-action": "assign", "assign-version": "abc"},
        {"action": "assign", "assign-action": "assign", "assign-version": "1", "assign-assignee_member": "999999"},
        {},
    ],
    ids=["unknown-action", "no-version", "version-not-a-number", "unknown-member", "empty"],
)
def test_malformed_transition_post_changes_nothing_and_shows_an_error(
    cast: factories.Cast, demand_a: Demand, data: dict[str, str]
) -> None:
    before = snapshot(demand_a)

    response = client_for(cast.captain_a).post(transition_url(demand_a), data, follow=True)

    assert response.status_code == 200
    assert snapshot(demand_a) == before
    assert len(error_messages(response)) == 1


def test_assigning_a_member_of_another_council_is_refused(cast: factories.Cast, demand_a: Demand) -> None:
    jin_mao_member = factories.CouncilMemberFactory(council=cast.tower_b.council)
    before = snapshot(demand_a)

    response = post_transition(client_for(cast.captain_a), demand_a, "assign", assignee_member=jin_mao_member.pk)

    assert snapshot(demand_a) == before
    [message] = error_messages(response)
    assert "council member" in message


# --- scope ----------------------------------------------------------------------------------------


def _changelist_ids(user: Any) -> set[int]:
    response = client_for(user).get(reverse("admin:requests_tracker_demand_changelist"))
    assert response.status_code == 200
    return {d.pk for d in response.context["cl"].result_list}


def test_each_captain_lists_only_their_own_buildings_demands(
    cast: factories.Cast, demand_a: Demand, demand_b: Demand
) -> None:
    assert _changelist_ids(cast.captain_a) == {demand_a.pk}
    assert _changelist_ids(cast.captain_b) == {demand_b.pk}
    assert _changelist_ids(cast.superuser) == {demand_a.pk, demand_b.pk}


def test_department_staff_lists_only_demands_assigned_to_their_department(
    cast: factories.Cast, demand_a: Demand, demand_b: Demand
) -> None:
    assign_to_fire(demand_a, cast)

    assert _changelist_ids(cast.dept_staff) == {demand_a.pk}


def test_captain_cannot_open_another_buildings_demand(cast: factories.Cast, demand_a: Demand, demand_b: Demand) -> None:
    response = client_for(cast.captain_a).get(change_url(demand_b))

    assert response.status_code in (302, 404)
    assert "Jin Mao parking" not in response.content.decode()


def test_captain_cannot_move_another_buildings_demand(cast: factories.Cast, demand_b: Demand) -> None:
    before = snapshot(demand_b)

    response = post_transition(client_for(cast.captain_a), demand_b, "assign", assignee_department=cast.fire.pk)

    assert response.status_code == 404
    assert snapshot(demand_b) == before


@pytest.mark.parametrize("who", ["resident", None])
@pytest.mark.parametrize("page", ["changelist", "change", "add", "transition"])
def test_residents_and_anonymous_are_sent_to_the_admin_login(
    cast: factories.Cast, demand_a: Demand, who: str | None, page: str
) -> None:
    url = {
        "changelist": reverse("admin:requests_tracker_demand_changelist"),
        "change": change_url(demand_a),
        "add": reverse("admin:requests_tracker_demand_add"),
        "transition": transition_url(demand_a),
    }[page]
    client = client_for(getattr(cast, who) if who else None)
    before = snapshot(demand_a)

    response = client.post(url, {"action": "assign"}) if page == "transition" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert snapshot(demand_a) == before


# --- adding and editing ---------------------------------------------------------------------------


def _add_form(client: Client) -> Form:
    response = client.get(reverse("admin:requests_tracker_demand_add"))
    assert response.status_code == 200
    return form_by_id(response.content.decode(), "demand_form")


def test_adding_a_demand_in_the_admin_submits_it_through_the_workflow(cast: factories.Cast) -> None:
    client = client_for(cast.captain_a)
    form = _add_form(client)
    form.data.update(
        building=str(cast.tower_a.pk),
        category=str(cast.category.pk),
        title="Lift 4 not linked",
        floor="52",
        contact_phone="138 1234 5678",
    )

    response = client.post(reverse("admin:requests_tracker_demand_add"), form.data)

    demand = Demand.objects.get()
    assert response.status_code == 302
    assert (demand.building, demand.status, demand.version, demand.channel) == (
        cast.tower_a,
        "submitted",
        1,
        Demand.Channel.STATION,
    )
    assert demand.contact_phone == "13812345678"
    assert demand.submitted_by == cast.captain_a
    assert [(e.kind, e.to_status) for e in demand.events.all()] == [("submitted", "submitted")]


def test_captain_may_only_add_demands_for_their_own_building(cast: factories.Cast) -> None:
    client = client_for(cast.captain_a)
    form = _add_form(client)
    form.data.update(building=str(cast.tower_b.pk), category=str(cast.category.pk), title="Jin Mao parking")

    response = client.post(reverse("admin:requests_tracker_demand_add"), form.data)

    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert Demand.objects.count() == 0
    assert str(cast.tower_a.pk) in form.options["building"]
    assert str(cast.tower_b.pk) not in form.options["building"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("floor", "300"), ("floor", "-9"), ("contact_phone", "12345"), ("title", "   ")],
)
def test_adding_an_invalid_demand_shows_the_error_on_the_field(cast: factories.Cast, field: str, value: str) -> None:
    client = client_for(cast.captain_a)
    form = _add_form(client)
    form.data.update(building=str(cast.tower_a.pk), category=str(cast.category.pk), title="Lift 4 not linked")
    form.data[field] = value

    response = client.post(reverse("admin:requests_tracker_demand_add"), form.data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Demand.objects.count() == 0


def test_add_page_offers_only_categories_in_use(cast: factories.Cast) -> None:
    retired = factories.CategoryFactory(code="retired", is_active=False)

    form = _add_form(client_for(cast.captain_a))

    assert str(cast.category.pk) in form.options["category"]
    assert str(retired.pk) not in form.options["category"]


def test_a_demand_whose_category_was_retired_stays_editable(cast: factories.Cast, demand_a: Demand) -> None:
    cast.category.is_active = False
    cast.category.save()
    client = client_for(cast.captain_a)
    form = _change_form(client, demand_a)
    form.data["title"] = "Deliveries: lockers wanted"
    form.data["moderation_reason"] = "Clearer title"

    response = client.post(change_url(demand_a), form.data)

    demand_a.refresh_from_db()
    assert response.status_code == 302
    assert (demand_a.title, demand_a.category) == ("Deliveries: lockers wanted", cast.category)


def _change_form(client: Client, demand: Demand) -> Form:
    response = client.get(change_url(demand))
    assert response.status_code == 200
    return form_by_id(response.content.decode(), "demand_form")


def test_change_form_cannot_change_status_version_or_outcome(cast: factories.Cast, demand_a: Demand) -> None:
    client = client_for(cast.captain_a)
    form = _change_form(client, demand_a)
    assert not {"status", "version", "outcome", "assignee_member", "resolved_at"} & set(form.data)
    form.data.update(title="Deliveries: lockers wanted", status="resolved", version="99", outcome="solved")
    form.data["moderation_reason"] = "Clearer title"

    response = client.post(change_url(demand_a), form.data)

    assert response.status_code == 302
    demand_a.refresh_from_db()
    assert demand_a.title == "Deliveries: lockers wanted"
    # The edit itself bumps the version once (it is a compare-and-set); nothing else moves.
    assert (demand_a.status, demand_a.version, demand_a.outcome) == ("submitted", 2, "")


def test_editing_a_demand_does_not_undo_a_transition_made_meanwhile(
    cast: factories.Cast, demand_a: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    from requests_tracker.admin.demands import DemandAdmin

    client = client_for(cast.captain_a)
    form = _change_form(client, demand_a)
    form.data["title"] = "Deliveries: lockers wanted"
    form.data["moderation_reason"] = "Clearer title"
    original_save_form = DemandAdmin.save_form
    moved: list[Demand] = []

    def save_form_while_someone_assigns(self: DemandAdmin, request: Any, form: Any, change: bool) -> Any:
        # The admin has loaded the demand; before it saves, someone else assigns it.
        moved.append(assign_to_fire(Demand.objects.get(pk=form.instance.pk), cast))
        return original_save_form(self, request, form, change)

    monkeypatch.setattr(DemandAdmin, "save_form", save_form_while_someone_assigns)

    response = client.post(change_url(demand_a), form.data, follow=True)

    demand_a.refresh_from_db()
    assert len(moved) == 1
    # One wins (the assignment); the edit made on the version before it is refused, with a message.
    assert demand_a.title == "Food deliveries cannot come upstairs"
    assert (demand_a.status, demand_a.version, demand_a.assignee_department) == ("assigned", 2, cast.fire)
    assert [m for m in error_messages(response) if "changed by someone else" in m]
    assert not [m for m in response.context["messages"] if m.level == messages.SUCCESS]


def test_department_staff_cannot_edit_the_demand_fields(cast: factories.Cast, demand_a: Demand) -> None:
    demand = assign_to_fire(demand_a, cast)
    client = client_for(cast.dept_staff)

    response = client.post(change_url(demand), {"title": "changed by fire brigade"})

    demand.refresh_from_db()
    assert response.status_code == 403
    assert demand.title == "Food deliveries cannot come upstairs"


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("how_many", [3, 20])
def test_captains_demand_changelist_runs_a_fixed_number_of_queries(
    cast: factories.Cast, django_assert_num_queries: Any, how_many: int
) -> None:
    member = cast.plain_member_a
    for i in range(how_many):
        demand = factories.make_demand(cast.tower_a, cast.category, title=f"demand {i}")
        if i % 3 == 1:
            assign_to_fire(demand, cast)
        elif i % 3 == 2:
            actions.demand_transition(
                demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(member=member)
            )
    factories.make_demand(cast.tower_b, cast.category)
    client = client_for(cast.captain_a)
    url = reverse("admin:requests_tracker_demand_changelist")

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == how_many


#: session, user, the actor's scope (seats, departments, districts), four related filters' choices
#: (category, district, building, department; read once per request), count, the sidebar's permissions (2),
#: rows, the list-editable category choices (count, rows: shared by every row), the date hierarchy
#: (range, days), the action bar's departments, and one facet count per filter (9).
CHANGELIST_QUERIES = 26


def test_overdue_filter_lists_only_open_demands_past_their_due_date(cast: factories.Cast) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    late = factories.make_demand(cast.tower_a, cast.category, title="late", at=long_ago)
    done_late = resolve(assign_to_fire(factories.make_demand(cast.tower_a, cast.category, at=long_ago), cast), cast)
    fresh = factories.make_demand(cast.tower_a, cast.category, title="fresh")
    url = reverse("admin:requests_tracker_demand_changelist")
    client = client_for(cast.captain_a)

    overdue = client.get(url, {"overdue": "yes"})
    on_time = client.get(url, {"overdue": "no", "queue": "all"})

    assert {d.pk for d in overdue.context["cl"].result_list} == {late.pk}
    assert {d.pk for d in on_time.context["cl"].result_list} == {fresh.pk, done_late.pk}


def test_timeline_admin_is_read_only(cast: factories.Cast, demand_a: Demand) -> None:
    event = DemandEvent.objects.get(demand=demand_a)
    client = client_for(cast.superuser)
    url = reverse("admin:requests_tracker_demandevent_change", args=[event.pk])

    page = client.get(url)
    response = client.post(url, {"note": "rewritten history", "is_public": ""})

    event.refresh_from_db()
    assert page.status_code == 200
    assert not any(name == "_save" for form in forms_in(page.content.decode()) for name, _ in form.buttons)
    assert response.status_code == 403
    assert (event.note, event.is_public) == ("", True)
