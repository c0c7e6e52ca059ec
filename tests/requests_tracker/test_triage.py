"""The captains' triage queue and the departments' work queue in the admin: defaults, bulk actions on the
version shown, list edits, hand back, notes, merge, moderation and exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from requests_tracker import actions, selectors
from requests_tracker.models import Demand, DemandEvent, DemandRevision, ResponseTemplate, Support
from tests import factories
from tests.requests_tracker.htmlforms import form_by_id, forms_in

pytestmark = pytest.mark.django_db

QUEUE = "/admin/requests_tracker/demand/"


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def change_url(demand: Demand) -> str:
    return reverse("admin:requests_tracker_demand_change", args=[demand.pk])


def assign_to_fire(demand: Demand, cast: factories.Cast) -> Demand:
    return actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )


def rows(response: Any) -> list[int]:
    return [d.pk for d in response.context["cl"].result_list]


def notes(response: Any, level: int) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == level]


def bulk(client: Client, action: str, demands: list[Demand], versions: dict[int, int] | None = None, **extra: Any):
    data: dict[str, Any] = {"action": action, "_selected_action": [d.pk for d in demands], "index": 0}
    for d in demands:
        data[f"_version_{d.pk}"] = (versions or {}).get(d.pk, d.version)
    data.update(extra)
    return client.post(QUEUE + "?queue=all", data, follow=True)


# --- the queue ---------------------------------------------------------------------------------


def test_captains_queue_opens_on_own_open_demands_oldest_first_with_overdue_marked(cast: factories.Cast) -> None:
    now = timezone.now()
    old = factories.make_demand(cast.tower_a, cast.category, title="old and late", at=now - timedelta(days=20))
    new = factories.make_demand(cast.tower_a, cast.category, title="new", at=now - timedelta(hours=2))
    middle = assign_to_fire(factories.make_demand(cast.tower_a, cast.category, at=now - timedelta(days=2)), cast)
    done = assign_to_fire(factories.make_demand(cast.tower_a, cast.category, at=now - timedelta(days=30)), cast)
    actions.demand_transition(demand=done, action="resolve", actor=cast.captain_a, outcome="solved", note="ok")
    factories.make_demand(cast.tower_b, cast.category, title="Jin Mao's")

    response = client_for(cast.captain_a).get(QUEUE)

    html = response.content.decode()
    assert response.status_code == 200
    assert rows(response) == [old.pk, middle.pk, new.pk]
    assert html.count('class="overdue"') == 1
    assert "Jin Mao's" not in html
    # Facets: each filter choice says how many demands it would show.
    assert "Open (3)" in html
    assert "Resolved (1)" in html


def test_resolved_ones_are_one_click_away(cast: factories.Cast) -> None:
    done = assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast)
    actions.demand_transition(demand=done, action="resolve", actor=cast.captain_a, outcome="solved", note="ok")
    client = client_for(cast.captain_a)

    assert rows(client.get(QUEUE, {"queue": "resolved"})) == [done.pk]
    assert rows(client.get(QUEUE, {"status__exact": "resolved"})) == [done.pk]


def test_queue_is_in_chinese_by_default(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)

    html = client_for(cast.captain_a, "zh-hans").get(QUEUE).content.decode()

    assert "待办" in html
    assert "分派给该类别的常用部门" in html


def test_department_queue_lists_what_is_routed_to_fire_in_any_building(cast: factories.Cast) -> None:
    a = assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast)
    b = actions.demand_transition(
        demand=factories.make_demand(cast.tower_b, cast.category),
        action="assign",
        actor=cast.captain_b,
        assignee=actions.Assignee(department=cast.fire),
    )
    factories.make_demand(cast.tower_a, cast.category, title="not routed yet")

    response = client_for(cast.dept_staff).get(QUEUE)

    assert set(rows(response)) == {a.pk, b.pk}
    offered = {value for value in forms_in(response.content.decode())[-1].options.get("action", []) if value}
    assert offered == {"start_work", "resolve_with_note", "hand_back_with_note", "export_selected_csv"}


@pytest.mark.parametrize("how_many", [3, 20])
def test_department_queue_runs_a_fixed_number_of_queries(
    cast: factories.Cast, django_assert_num_queries: Any, how_many: int
) -> None:
    for i in range(how_many):
        assign_to_fire(factories.make_demand(cast.tower_a, cast.category, title=f"d{i}"), cast)
    client = client_for(cast.dept_staff)

    # session, user, scope (3), related filters' choices (4), count, permissions (2), rows, date hierarchy (2),
    # the action bar's departments, and one facet count per filter (9): no list edits for a department.
    with django_assert_num_queries(24):
        response = client.get(QUEUE)

    assert len(rows(response)) == how_many


# --- bulk actions ------------------------------------------------------------------------------


def test_department_starts_several_demands_at_once(cast: factories.Cast) -> None:
    demands = [assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast) for _ in range(3)]

    response = bulk(client_for(cast.dept_staff), "start_work", demands)

    assert {Demand.objects.get(pk=d.pk).status for d in demands} == {"in_progress"}
    assert notes(response, messages.SUCCESS) == ["Start work: done for 3 demand(s)."]


def test_bulk_action_on_a_row_changed_since_it_was_shown_skips_it_and_says_so(cast: factories.Cast) -> None:
    one, two = (assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast) for _ in range(2))
    seen = {one.pk: one.version, two.pk: two.version}
    # Meanwhile another captain re-routes `two` to a council member.
    actions.demand_transition(
        demand=two, action="assign", actor=cast.captain_a, assignee=actions.Assignee(member=cast.plain_member_a)
    )

    response = bulk(client_for(cast.captain_a), "start_work", [one, two], versions=seen)

    assert Demand.objects.get(pk=one.pk).status == "in_progress"
    two.refresh_from_db()
    assert (two.status, two.assignee_member) == ("assigned", cast.plain_member_a)
    [error] = notes(response, messages.ERROR)
    assert f"#{two.pk}" in error and "changed by someone else" in error
    # The list shown after the action is the new state.
    assert two.pk in rows(response)


def test_captain_routes_new_demands_to_their_categories_usual_department(cast: factories.Cast) -> None:
    demands = [factories.make_demand(cast.tower_a, cast.category) for _ in range(2)]

    bulk(client_for(cast.captain_a), "assign_to_default_department", demands)

    assert {(d.status, d.assignee_department_id) for d in Demand.objects.filter(pk__in=[x.pk for x in demands])} == {
        ("assigned", cast.fire.pk)
    }


def test_bulk_resolve_without_a_note_changes_nothing_and_says_why(cast: factories.Cast) -> None:
    demand = assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast)

    response = bulk(client_for(cast.captain_a), "resolve_with_note", [demand], outcome="solved", note="")

    assert Demand.objects.get(pk=demand.pk).status == "assigned"
    assert "public note" in notes(response, messages.ERROR)[0]


def test_bulk_action_cannot_reach_another_buildings_demand(cast: factories.Cast) -> None:
    theirs = factories.make_demand(cast.tower_b, cast.category)

    bulk(client_for(cast.captain_a), "assign_to_default_department", [theirs])

    assert Demand.objects.get(pk=theirs.pk).status == "submitted"


def test_district_staff_get_no_bulk_transitions(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)

    response = client_for(cast.district_staff).get(QUEUE)
    bulk(client_for(cast.district_staff), "assign_to_default_department", [demand])

    offered = {v for f in forms_in(response.content.decode()) for v in f.options.get("action", []) if v}
    assert offered == {"export_selected_csv"}
    assert Demand.objects.get(pk=demand.pk).status == "submitted"


# --- list edits --------------------------------------------------------------------------------


def _list_edit(client: Client, demand: Demand, category: Any, version: int) -> Any:
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(demand.pk),
        "form-0-category": str(category.pk),
        f"_version_{demand.pk}": str(version),
        "_save": "Save",
    }
    return client.post(QUEUE + "?queue=all", data, follow=True)


def test_list_edit_recategorises_on_the_version_shown(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    parking = factories.CategoryFactory(code="parking", name="停车")

    _list_edit(client_for(cast.captain_a), demand, parking, demand.version)

    demand.refresh_from_db()
    assert (demand.category, demand.version) == (parking, 2)


def test_list_edit_on_a_stale_row_is_refused_and_shows_the_new_state(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    shown = demand.version
    parking = factories.CategoryFactory(code="parking", name="停车")
    assign_to_fire(demand, cast)  # the other captain wins

    response = _list_edit(client_for(cast.captain_a), demand, parking, shown)

    demand.refresh_from_db()
    assert (demand.category, demand.status) == (cast.category, "assigned")
    html = response.content.decode()
    assert "changed by someone else" in html
    assert f'name="_version_{demand.pk}" value="{demand.version}"' in html


# --- hand back, notes, templates ---------------------------------------------------------------


def test_department_hands_a_demand_back_with_a_reason_and_it_leaves_their_queue(cast: factories.Cast) -> None:
    demand = assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast)
    client = client_for(cast.dept_staff)
    url = reverse("admin:requests_tracker_demand_transition", args=[demand.pk])

    client.post(
        url,
        {"action": "hand_back", "hand_back-action": "hand_back", "hand_back-version": 2, "hand_back-note": "Not fire."},
    )

    demand.refresh_from_db()
    assert (demand.status, demand.assignee_department, demand.assigned_at is not None) == ("submitted", None, True)
    assert demand.events.latest("id").note == "Not fire."
    assert rows(client.get(QUEUE)) == []
    assert demand.pk in rows(client_for(cast.captain_a).get(QUEUE))


@pytest.mark.parametrize("is_public", [True, False])
def test_public_reply_reaches_the_tracking_page_and_internal_note_does_not(
    cast: factories.Cast, is_public: bool
) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    url = reverse("admin:requests_tracker_demand_note", args=[demand.pk])

    client_for(cast.captain_a).post(url, {"note": "物业已在处理", "is_public": "1" if is_public else "0"})

    event = demand.events.get(kind=DemandEvent.Kind.NOTE)
    assert event.is_public is is_public
    track = Client().get(reverse("track", args=[demand.token])).content.decode()
    assert ("物业已在处理" in track) is is_public
    assert "物业已在处理" in client_for(cast.captain_a).get(change_url(demand)).content.decode()


def test_change_page_offers_the_categorys_response_templates(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    ResponseTemplate.objects.create(category=cast.category, title="外卖柜", body="已协调物业在1F安装外卖柜。")
    ResponseTemplate.objects.create(category=None, title="通用", body="已收到，正在处理。")
    ResponseTemplate.objects.create(category=factories.CategoryFactory(code="parking"), title="停车", body="x")

    html = client_for(cast.captain_a).get(change_url(demand)).content.decode()

    assert 'data-body="已协调物业在1F安装外卖柜。"' in html
    assert "已收到，正在处理。" in html
    assert ">停车<" not in html


def test_change_page_shows_first_response_time(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, at=timezone.now() - timedelta(hours=3))
    assign_to_fire(demand, cast)

    html = client_for(cast.captain_a).get(change_url(demand)).content.decode()

    assert "First response" in html or "first response" in html
    assert "3\xa0hours" in html


# --- merge -------------------------------------------------------------------------------------


def test_merging_a_duplicate_links_it_and_carries_supports_without_counting_anyone_twice(
    cast: factories.Cast,
) -> None:
    target = factories.make_demand(cast.tower_a, cast.category, title="外卖柜")
    dup = factories.make_demand(cast.tower_a, cast.category, title="外卖柜 again", submitted_by=cast.resident)
    both = factories.UserFactory(username="both")
    Support.objects.create(demand=target, user=both)
    Support.objects.create(demand=dup, user=both)
    Support.objects.create(demand=dup, client_key="browser-1")
    Support.objects.create(demand=target, client_key="browser-2")
    client = client_for(cast.captain_a)
    form = form_by_id(client.get(change_url(dup)).content.decode(), "merge-form")
    assert str(target.pk) in form.options["into"]

    response = client.post(
        reverse("admin:requests_tracker_demand_merge", args=[dup.pk]),
        {"version": dup.version, "into": target.pk, "note": ""},
    )

    dup.refresh_from_db()
    target.refresh_from_db()
    assert response.url == change_url(target)
    assert (dup.status, dup.outcome, dup.duplicate_of) == ("resolved", "duplicate", target)
    assert dup.resolution_note == f"与第 {target.pk} 号诉求内容相同，已合并办理。"  # in the site's language
    # both (once), browser-1, browser-2, and the duplicate's submitter.
    assert target.support_count == Support.objects.filter(demand=target).count() == 4
    assert target.events.filter(kind="merged", data__from=dup.pk).exists()


def test_a_demand_of_another_building_is_not_offered_nor_accepted_for_a_merge(cast: factories.Cast) -> None:
    mine = factories.make_demand(cast.tower_a, cast.category)
    theirs = factories.make_demand(cast.tower_b, cast.category)

    client_for(cast.captain_a).post(
        reverse("admin:requests_tracker_demand_merge", args=[mine.pk]), {"version": 1, "into": theirs.pk}
    )

    mine.refresh_from_db()
    assert (mine.status, mine.duplicate_of) == ("submitted", None)
    with pytest.raises(actions.TransitionError):
        actions.demand_merge(demand=mine, into=theirs, actor=cast.superuser)


# --- moderation --------------------------------------------------------------------------------


def _change_form(client: Client, demand: Demand) -> Any:
    return form_by_id(client.get(change_url(demand)).content.decode(), "demand_form")


def test_moderating_the_title_keeps_the_original_and_the_reason(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, title="某公司老板是骗子，外卖上不了楼")
    client = client_for(cast.captain_a)
    form = _change_form(client, demand)
    form.data.update(title="外卖上不了楼", moderation_reason="删除针对个人的言论")

    client.post(change_url(demand), form.data)

    demand.refresh_from_db()
    revision = DemandRevision.objects.get(demand=demand)
    assert demand.title == "外卖上不了楼"
    assert (revision.title, revision.reason, revision.actor) == (
        "某公司老板是骗子，外卖上不了楼",
        "删除针对个人的言论",
        cast.captain_a,
    )
    assert not demand.events.get(kind="moderated").is_public


def test_editing_the_public_text_without_a_reason_is_refused_on_the_field(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, title="原标题")
    client = client_for(cast.captain_a)
    form = _change_form(client, demand)
    form.data["title"] = "新标题"

    response = client.post(change_url(demand), form.data)

    assert response.status_code == 200
    assert "Say why the public text" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).title == "原标题"


def test_hiding_a_demand_takes_it_off_every_public_page(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    client = client_for(cast.captain_a)
    form = _change_form(client, demand)
    form.data.update(is_hidden="on", moderation_reason="广告")

    client.post(change_url(demand), form.data)

    assert not selectors.public_demands().filter(pk=demand.pk).exists()
    assert DemandRevision.objects.get(demand=demand).was_hidden is False


def test_edit_on_a_version_someone_else_changed_is_refused_with_the_new_state(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    client = client_for(cast.captain_a)
    form = _change_form(client, demand)
    assign_to_fire(demand, cast)
    form.data["floor"] = "52"

    response = client.post(change_url(demand), form.data)

    demand.refresh_from_db()
    assert response.status_code == 200
    assert demand.floor is None
    assert "changed by someone else" in response.content.decode()


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_is_the_current_list_with_bom_and_escaped_formulas(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category, title='=HYPERLINK("http://evil")')
    factories.make_demand(cast.tower_a, cast.category, title="电梯不联动")
    factories.make_demand(cast.tower_b, cast.category, title="金茂停车")
    url = reverse("admin:requests_tracker_demand_export", args=["csv"])

    response = client_for(cast.captain_a, "zh-hans").get(url, {"q": "="})
    everything = client_for(cast.captain_a, "zh-hans").get(url)

    body = response.content
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:4] == ["编号", "楼宇", "类别", "标题"]
    assert [row[3] for row in table[1:]] == ['\'=HYPERLINK("http://evil")']
    titles = [row[3] for row in csv.reader(io.StringIO(everything.content.decode("utf-8-sig")))][1:]
    assert "电梯不联动" in titles and "金茂停车" not in titles


def test_xlsx_export_opens_and_holds_the_rows(cast: factories.Cast) -> None:
    from openpyxl import load_workbook

    factories.make_demand(cast.tower_a, cast.category, title="+1 外卖柜")
    url = reverse("admin:requests_tracker_demand_export", args=["xlsx"])

    response = client_for(cast.captain_a).get(url)

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["D2"].value == "'+1 外卖柜"
    assert sheet.max_row == 2


@pytest.mark.parametrize("how_many", [3, 20])
def test_export_runs_a_fixed_number_of_queries(
    cast: factories.Cast, django_assert_num_queries: Any, how_many: int
) -> None:
    for i in range(how_many):
        demand = factories.make_demand(cast.tower_a, cast.category, title=f"d{i}")
        if i % 2:
            assign_to_fire(demand, cast)
    client = client_for(cast.captain_a)
    url = reverse("admin:requests_tracker_demand_export", args=["csv"])

    # session, user, scope (3), the related filters' choices (4), the list's count, the rows (all pages).
    with django_assert_num_queries(11):
        response = client.get(url)

    assert len(response.content.decode("utf-8-sig").splitlines()) == how_many + 1


def test_department_hands_back_through_the_api_with_a_reason(cast: factories.Cast) -> None:
    from rest_framework.test import APIClient

    demand = assign_to_fire(factories.make_demand(cast.tower_a, cast.category, is_public=False), cast)
    api = APIClient()
    api.force_authenticate(cast.dept_staff)

    refused = api.post(f"/api/v1/demands/{demand.pk}/transitions/", {"action": "hand_back", "version": 2})
    response = api.post(
        f"/api/v1/demands/{demand.pk}/transitions/", {"action": "hand_back", "version": 2, "note": "不属于消防职责"}
    )

    assert refused.status_code == 400
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee"]) == ("submitted", None)
    # No longer theirs: out of their scope, so a 404 now.
    assert api.get(f"/api/v1/demands/{demand.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["dept_staff", "district_staff"])
def test_read_only_demand_page_has_no_edit_form_fields_nor_save_button(cast: factories.Cast, who: str) -> None:
    demand = assign_to_fire(factories.make_demand(cast.tower_a, cast.category), cast)

    html = client_for(getattr(cast, who)).get(change_url(demand)).content.decode()

    assert "Moderation reason" not in html and "reason for the edit" not in html
    assert 'name="_save"' not in html
    assert 'name="title"' not in html


def test_list_edit_of_a_row_one_only_works_on_as_a_department_is_refused(cast: factories.Cast) -> None:
    # captain_a also serves in the fire brigade: Jin Mao's fire demand is in their list, not theirs to edit.
    cast.fire.staff.add(cast.captain_a)
    theirs = actions.demand_transition(
        demand=factories.make_demand(cast.tower_b, cast.category),
        action="assign",
        actor=cast.captain_b,
        assignee=actions.Assignee(department=cast.fire),
    )
    parking = factories.CategoryFactory(code="parking", name="停车")

    response = _list_edit(client_for(cast.captain_a), theirs, parking, theirs.version)

    theirs.refresh_from_db()
    assert theirs.category == cast.category
    assert notes(response, messages.ERROR) == [f"You may not edit demand #{theirs.pk}."]
    assert notes(response, messages.SUCCESS) == []
