"""District statistics: access, filters, exports, pinned query counts, and a randomized recount."""

from __future__ import annotations

import io
import random
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buildings.models import Subdistrict
from requests_tracker import actions, stats
from requests_tracker.models import Demand
from requests_tracker.workflow import Outcome, Status
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _random_history(cast: factories.Cast, seed: int, n: int = 60) -> list[Demand]:
    """Random submits and transitions (assign, start, resolve, reopen, re-assign) at random times."""
    rng = random.Random(seed)
    other_district = factories.DistrictFactory(slug="putuo", name="普陀区")
    changshou = factories.SubdistrictFactory(slug="changshou", name="长寿路街道", district=other_district)
    far = factories.BuildingFactory(slug="pinggao", name="平高国际大厦", subdistrict=changshou, floors=30)
    buildings = [cast.tower_a, cast.tower_b, far]
    categories = [cast.category, factories.CategoryFactory(code="parking", name="停车交通", target_days=3)]
    start = timezone.now() - timedelta(days=120)
    demands = []
    for i in range(n):
        at = start + timedelta(hours=rng.randint(0, 24 * 110))
        d = factories.make_demand(
            rng.choice(buildings), rng.choice(categories), title=f"诉求{i}", is_public=rng.random() < 0.8, at=at
        )
        for _ in range(rng.randint(0, 5)):
            at = min(at + timedelta(hours=rng.randint(1, 200)), timezone.now())
            options = {
                Status.SUBMITTED: ["assign"],
                Status.ASSIGNED: ["start", "resolve", "assign"],
                Status.IN_PROGRESS: ["resolve", "assign"],
                Status.RESOLVED: ["reopen"],
            }[Status(d.status)]
            action = rng.choice(options)
            d = actions.demand_transition(
                demand=d,
                action=action,
                actor=cast.superuser,
                assignee=actions.Assignee(department=cast.fire) if action == "assign" else None,
                outcome=rng.choice(Outcome.values) if action == "resolve" else "",
                note="办理说明" if action in ("resolve", "reopen") else "",
                at=at,
            )
        demands.append(d)
    return demands


def _naive(demands: list[Demand], now) -> dict:  # type: ignore[no-untyped-def]
    statuses = Counter(d.status for d in demands)
    first = [(d.assigned_at - d.submitted_at).total_seconds() / 3600 for d in demands if d.assigned_at]
    res = [(d.resolved_at - d.submitted_at).total_seconds() / 3600 for d in demands if d.resolved_at]
    return {
        "received": len(demands),
        "resolved": statuses[Status.RESOLVED],
        "in_progress": statuses[Status.ASSIGNED] + statuses[Status.IN_PROGRESS],
        "waiting": statuses[Status.SUBMITTED],
        "overdue": sum(1 for d in demands if d.status != Status.RESOLVED and d.due_at < now),
        "outcomes": Counter(d.outcome for d in demands if d.status == Status.RESOLVED),
        "first_median": round(statistics.median(first), 1) if first else None,
        "res_median": round(statistics.median(res), 1) if res else None,
        "by_building": Counter(d.building.slug for d in demands),
        "by_category": Counter(d.category.code for d in demands),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_always_equal_a_naive_recount(cast: factories.Cast, seed: int) -> None:
    _random_history(cast, seed)
    now = timezone.now()
    all_rows = list(Demand.objects.select_related("building__subdistrict__district", "category"))
    rng = random.Random(seed)
    since = (now - timedelta(days=rng.randint(20, 100))).date()
    filters = [
        ({}, lambda d: True),
        ({"district": "pudong"}, lambda d: d.building.subdistrict.district.slug == "pudong"),
        ({"building": cast.tower_a.slug}, lambda d: d.building_id == cast.tower_a.pk),
        ({"category": "parking"}, lambda d: d.category.code == "parking"),
        ({"since": since}, lambda d: timezone.localtime(d.submitted_at).date() >= since),
    ]
    for params, keep in filters:
        form = stats.StatsFilterForm(params)
        assert form.is_valid(), form.errors
        data = stats.compute(form.demands(), now=now, top=100, head=stats.headline_for(form, now=now))
        expected = _naive([d for d in all_rows if keep(d)], now)
        f = data["figures"]
        assert (f["received"], f["resolved"], f["in_progress"], f["waiting"], f["overdue"]) == (
            expected["received"],
            expected["resolved"],
            expected["in_progress"],
            expected["waiting"],
            expected["overdue"],
        ), params
        assert {o["outcome"]: o["count"] for o in data["by_outcome"] if o["count"]} == dict(expected["outcomes"])
        assert data["first_response"]["median_hours"] == expected["first_median"]
        assert data["resolution_time"]["median_hours"] == expected["res_median"]
        assert {b["building"]: b["received"] for b in data["buildings"]} == dict(expected["by_building"])
        assert {c["category"]: c["received"] for c in data["by_category"]} == dict(expected["by_category"])
        assert sum(m["received"] for m in data["monthly"]) == expected["received"]
        assert sum(m["resolved"] for m in data["monthly"]) == expected["resolved"]


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_maintained_tallies_always_equal_a_recount(cast: factories.Cast, seed: int) -> None:
    from django.db.models import Count

    from requests_tracker.models import DemandTally

    _random_history(cast, seed, n=50)
    recount = {
        (r["building_id"], r["status"], r["outcome"]): r["n"]
        for r in Demand.objects.values("building_id", "status", "outcome").annotate(n=Count("id"))
    }
    tallies = {(t.building_id, t.status, t.outcome): t.n for t in DemandTally.objects.all() if t.n}
    assert tallies == recount
    assert all(t.n >= 0 for t in DemandTally.objects.all())
    now = timezone.now()
    for ids in (None, {cast.tower_a.pk}, {cast.tower_a.pk, cast.tower_b.pk}, set()):
        qs = Demand.objects.all() if ids is None else Demand.objects.filter(building_id__in=ids)
        assert stats.headline_from_tallies(ids, now=now) == stats.headline(qs, now=now)
    stats.rebuild_tallies()
    assert {(t.building_id, t.status, t.outcome): t.n for t in DemandTally.objects.all()} == recount


@pytest.mark.parametrize("seed", [11, 12])
def test_merged_headline_agrees_with_the_one_definition(cast: factories.Cast, seed: int) -> None:
    from requests_tracker import selectors

    _random_history(cast, seed, n=40)
    for qs in (Demand.objects.all(), Demand.objects.filter(building=cast.tower_a), Demand.objects.none()):
        one = selectors.demand_figures(qs)
        merged = stats.headline(qs)["figures"]
        assert (merged["received"], merged["resolved"], merged["in_progress"], merged["waiting"]) == (
            one.received,
            one.resolved,
            one.in_progress,
            one.waiting,
        )


def test_only_figures_is_one_query_after_the_scope(cast: factories.Cast, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category)
    client = _client(cast.district_staff)
    # session, user, the reach (access.stats_reach: nothing cached yet), tallies, overdue
    with django_assert_num_queries(5):
        data = client.get(API, {"only": "figures"}).json()
    assert data["figures"]["received"] == 1
    # #15: the same answer again: the reach and the bytes from the cache after the session and the user.
    with django_assert_num_queries(2):
        assert client.get(API, {"only": "figures"}).json() == data
    assert "monthly" not in data
    assert client.get(API, {"only": "everything"}).status_code == 400


def test_the_same_numbers_on_the_screen_the_stats_api_and_the_stats_page(cast: factories.Cast) -> None:
    _random_history(cast, seed=9, n=25)
    screen = Client().get(f"/api/v1/screen/{cast.tower_a.slug}/").json()["figures"]
    api = _client(cast.superuser).get(API, {"building": cast.tower_a.slug}).json()["figures"]
    page = _client(cast.superuser).get("/stats/", {"building": cast.tower_a.slug}).context["data"]["figures"]
    for key in ("received", "resolved", "in_progress", "waiting"):
        assert screen[key] == api[key] == page[key]


def test_district_staff_see_their_district_only(cast: factories.Cast) -> None:
    _random_history(cast, seed=4, n=20)
    pudong = Demand.objects.filter(building__subdistrict__district__slug="pudong").count()
    data = _client(cast.district_staff).get(API).json()
    assert data["figures"]["received"] == pudong
    assert "pinggao" not in {b["building"] for b in data["buildings"]}


def test_captain_sees_only_their_building(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_b, cast.category)
    data = _client(cast.captain_a).get(API).json()
    assert data["figures"]["received"] == 1
    assert _client(cast.captain_a).get(API, {"building": cast.tower_b.slug}).json()["figures"]["received"] == 0


@pytest.mark.parametrize("who", ["resident", "dept_staff"])
def test_others_are_refused_with_a_reason(cast: factories.Cast, who: str) -> None:
    response = _client(getattr(cast, who)).get(API)
    assert response.status_code == 403
    assert "区级工作人员和楼长" in response.json()["detail"]
    assert _client(getattr(cast, who)).get("/stats/").status_code == 403


def test_anonymous_is_refused_and_sent_to_login(cast: factories.Cast) -> None:
    assert Client().get(API).status_code in (401, 403)
    response = Client().get("/stats/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"),
        ({"building": "no-such-tower"}, "building"),
        ({"district": "bad slug\x00"}, "district"),
    ],
)
def test_bad_filters_are_a_400_in_chinese(cast: factories.Cast, params: dict, field: str) -> None:
    response = _client(cast.district_staff).get(API, params)
    assert response.status_code == 400
    assert field in response.json()
    page = _client(cast.district_staff).get("/stats/", params)
    assert page.status_code == 400


#: Every figure of whole buildings, served from the tallies and rollups (stats/served.py), whatever
#: the number of demands: a fixed, small number of queries — the open demands and the departments,
#: the buildings' tallies, histograms, months and categories (stats/partials.py), the names of the
#: ranked buildings and of the categories (the embedded SQLite database keeps no rollups: 8, live).
FIGURE_QUERIES = 8


def test_stats_api_query_count_is_fixed(
    cast: factories.Cast, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = _client(cast.district_staff)
    factories.make_demand(cast.tower_a, cast.category)
    # session, user, the reach (access.stats_reach), 7 for the figures (whole buildings: tallies,
    # overdue, then the rollups' monthly, categories, histograms and ranking, and the live departments:
    # FIGURE_QUERIES), 3 for the projects' figures (figures.register_area_figures)
    with django_assert_num_queries(6 + FIGURE_QUERIES):
        assert client.get(API, {"building": cast.tower_a.slug}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed changes move the cached figures on
        _random_history(cast, seed=5, n=30)
    # The history added a district, a sub-district and a building: the reach and the projects' figures
    # are read again too.
    with django_assert_num_queries(6 + FIGURE_QUERIES):
        assert client.get(API, {"building": cast.tower_a.slug}).status_code == 200
    # #15: nothing changed since: the reach and the answer's bytes come from the cache (stats/warm.py)
    # after the session and the user.
    with django_assert_num_queries(2):
        assert client.get(API, {"building": cast.tower_a.slug}).status_code == 200


def test_stats_page_query_count_is_fixed(
    cast: factories.Cast, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = _client(cast.district_staff)
    factories.make_demand(cast.tower_a, cast.category)
    with django_assert_num_queries(11 + FIGURE_QUERIES):
        response = client.get("/stats/")
    assert "诉求办理统计" in response.content.decode()
    assert "统计期内提交的全部诉求" in response.content.decode()  # the definition is on the page
    with django_capture_on_commit_callbacks(execute=True):  # committed changes move the cached figures on
        _random_history(cast, seed=6, n=30)
    with django_assert_num_queries(11 + FIGURE_QUERIES):
        client.get("/stats/")
    # #15: nothing changed since: the 7 figure queries and the 3 of the projects' figures come from the
    # cache (stats/cached.py).
    with django_assert_num_queries(8):
        client.get("/stats/")


def test_csv_export_has_a_bom_and_no_contact_details(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category, title="=HYPERLINK(1)", contact_phone="13900001111")
    client = _client(cast.district_staff)
    rows = client.get("/stats/export.csv", {"what": "rows"})
    assert rows.status_code == 200
    assert rows.content.startswith("\ufeff".encode())
    text = rows.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "13900001111" not in text
    figures = client.get("/stats/export.csv").content.decode("utf-8-sig")
    assert "收到,1," in figures


def test_xlsx_export_opens(cast: factories.Cast) -> None:
    from openpyxl import load_workbook

    factories.make_demand(cast.tower_a, cast.category)
    response = _client(cast.district_staff).get("/stats/export.xlsx", {"what": "figures"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "部分"
    assert any(row[1] == "收到" and row[2] == 1 for row in sheet.iter_rows(values_only=True))


def test_monthly_report_for_a_district(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    month = timezone.localdate().strftime("%Y-%m")
    response = _client(cast.district_staff).get("/stats/report/", {"district": "pudong", "month": month})
    html = response.content.decode()
    assert response.status_code == 200
    assert "浦东新区楼事会诉求办理月度报告" in html.replace("\n", "")
    assert response.context["data"]["figures"]["received"] == 1
    assert _client(cast.district_staff).get("/stats/report/", {"district": "putuo"}).status_code == 403
    assert Subdistrict.objects.exists()


def test_rebuild_tallies_command_repairs_a_drift(cast: factories.Cast) -> None:
    from django.core.management import call_command

    from requests_tracker.models import DemandTally

    factories.make_demand(cast.tower_a, cast.category)
    DemandTally.objects.update(n=99)  # as if something had bypassed the actions
    call_command("rebuild_tallies", stdout=io.StringIO())
    assert stats.headline_from_tallies({cast.tower_a.pk})["figures"]["received"] == 1


def test_feature_figures_show_on_the_page_the_api_and_the_export_with_their_definitions(
    cast: factories.Cast,
) -> None:
    from requests_tracker.projects import actions as project_actions

    demand = factories.make_demand(cast.tower_a, cast.category)
    project = project_actions.project_create(
        actor=cast.captain_a, buildings=[cast.tower_a], title="1F 2号门智能加热外卖柜", description="", is_public=True
    )
    project_actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    client = _client(cast.district_staff)

    page = client.get("/stats/").content.decode()
    api = client.get("/api/v1/stats/").json()
    export = client.get("/stats/export.csv").content.decode("utf-8-sig")

    section = next(s for s in api["sections"] if s["key"] == "projects")
    answered = next(i for i in section["items"] if i["value"] == 1 and "诉求" in i["label"])
    assert answered["definition"] in page and answered["label"] in page
    assert answered["label"] in export
