"""The lobby screen's feed: masking, public fields only, ETag/304 without queries, pinned query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_tracker import actions, screen
from requests_tracker.models import Demand
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请联系13812345678", "请联系1**********"),
        ("电话 138-1234-5678 谢谢", "电话 1********** 谢谢"),
        ("+86 138 1234 5678", "1**********"),
        ("全角１３８１２３４５６７８", "全角1**********"),
        ("发邮件到 li.lei@example.com 或 wang＠corp.cn", "发邮件到 ***@*** 或 ***@***"),
        ("工号 2138123456789 不是手机号", "工号 2138123456789 不是手机号"),
        ("52楼 1号门 12点", "52楼 1号门 12点"),
    ],
)
def test_mask_personal_hides_mobiles_and_emails_only(text: str, expected: str) -> None:
    assert screen.mask_personal(text) == expected


def _feed(client: Client, slug: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/screen/{slug}/", headers=headers)


def test_feed_shows_public_demands_without_personal_data(cast: factories.Cast) -> None:
    shown = factories.make_demand(
        cast.tower_a,
        cast.category,
        title="外卖上不了楼，联系我13812345678",
        description="邮箱 a@b.com",
        contact_name="张三",
        contact_phone="13900001111",
        contact_email="zhang@example.com",
        company_name="摩根大通",
        show_company=True,
    )
    anonymous_company = factories.make_demand(cast.tower_a, cast.category, title="停车难", company_name="某银行")
    factories.make_demand(cast.tower_a, cast.category, title="私下反映", is_public=False)
    hidden = factories.make_demand(cast.tower_a, cast.category, title="已被隐藏")
    Demand.objects.filter(pk=hidden.pk).update(is_hidden=True)
    factories.make_demand(cast.tower_b, cast.category, title="别的楼")

    response = _feed(Client(), cast.tower_a.slug)
    assert response.status_code == 200
    body = response.content.decode()
    data = response.json()
    titles = [d["title"] for d in data["demands"]]
    assert set(titles) == {"停车难", "外卖上不了楼，联系我1**********"}
    for secret in (
        "13812345678",
        "张三",
        "13900001111",
        "zhang@example.com",
        "某银行",
        "私下反映",
        "已被隐藏",
        "别的楼",
    ):
        assert secret not in body
    companies = {d["id"]: d["company"] for d in data["demands"]}
    assert companies[shown.pk] == "摩根大通"
    assert companies[anonymous_company.pk] == "某企业员工"
    # The headline figures count every demand of the building, public or not (one definition).
    assert data["figures"]["received"] == 4
    assert data["figures"]["waiting"] == 4


def test_feed_answers_304_without_a_query_when_nothing_changed(cast: factories.Cast, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category)
    client = Client()
    first = _feed(client, cast.tower_a.slug)
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "no-cache"
    with django_assert_num_queries(0):
        again = _feed(client, cast.tower_a.slug, if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    # Another screen of the same building, with nothing cached in its browser: the body is shared.
    with django_assert_num_queries(0):
        other = _feed(Client(), cast.tower_a.slug)
    assert other.status_code == 200 and other.content == first.content


def test_feed_changes_its_etag_when_a_demand_moves(cast: factories.Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    demand = factories.make_demand(cast.tower_a, cast.category)
    client = Client()
    etag = _feed(client, cast.tower_a.slug)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
        )
    response = _feed(client, cast.tower_a.slug, if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    item = response.json()["demands"][0]
    assert item["status"] == "assigned"
    assert item["step"] == 1
    assert item["latest"]["label"] == "已分派至区消防救援支队"


def test_feed_query_count_does_not_grow_with_demands(cast: factories.Cast, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i}")
    # slug lookup, stamp, building, figures, this month, list, one query per panel (surveys, elections, projects)
    with django_assert_num_queries(9):
        assert _feed(Client(), cast.tower_a.slug).status_code == 200
    for i in range(20):
        factories.make_demand(cast.tower_a, cast.category, title=f"更多{i}")
    from tests.conftest import _clear_cache

    _clear_cache()
    with django_assert_num_queries(9):
        assert len(_feed(Client(), cast.tower_a.slug).json()["demands"]) == 23


def test_unknown_screen_is_404(cast: factories.Cast) -> None:
    client = Client()
    assert client.get("/api/v1/screen/no-such-tower/").status_code == 404
    assert client.get("/screen/no-such-tower/").status_code == 404
    assert client.get("/screen/area/no-such-area/").status_code == 404


def test_screen_page_renders_with_qr_code_and_chinese(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category, title="联系 13812345678")
    response = Client().get(f"/screen/{cast.tower_a.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "上海中心大厦楼事会" in html
    assert "扫码提诉求" in html and "<svg" in html
    assert "13812345678" not in html


def test_area_feed_has_per_building_figures(cast: factories.Cast, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_b, cast.category)
    # slug lookup, stamp, area, figures, this month, per-building figures, list,
    # one query per area panel (surveys, projects)
    with django_assert_num_queries(9):
        response = Client().get("/api/v1/screen/area/lujiazui/")
    data = response.json()
    assert data["figures"]["received"] == 3
    rows = {b["slug"]: b["received"] for b in data["buildings"]}
    assert rows == {cast.tower_a.slug: 2, cast.tower_b.slug: 1}
    assert Client().get("/api/v1/screen/area/pudong/").json()["figures"]["received"] == 3


def test_echarts_is_vendored_with_its_licence() -> None:
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[2] / "static" / "vendor" / "echarts"
    # #15: a custom build with only the charts the pages draw (tests/test_phone_pages.py), not the full 1 MB.
    assert 300_000 < (vendor / "echarts.min.js").stat().st_size < 600_000
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert (vendor / "NOTICE").exists()
    assert (vendor / "LICENSE-zrender").exists() and (vendor / "LICENSE-tslib").exists()


def test_polling_screen_always_shows_a_naive_recount(cast: factories.Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """Random submits and transitions; after each, a screen polling with If-None-Match sees exactly
    the recount (a 304 only when the figures and the list really are unchanged)."""
    import random
    from collections import Counter

    rng = random.Random(42)
    client = Client()
    etag, shown = "", {}
    demands: list[Demand] = []
    for step in range(40):
        with django_capture_on_commit_callbacks(execute=True):
            open_ones = [d for d in demands if d.status != "resolved"]
            if not demands or rng.random() < 0.35:
                demands.append(
                    factories.make_demand(
                        cast.tower_a, cast.category, title=f"诉求{step}", is_public=rng.random() < 0.7
                    )
                )
            else:
                d = rng.choice(open_ones or demands)
                action = {
                    "submitted": "assign",
                    "assigned": rng.choice(["start", "resolve"]),
                    "in_progress": "resolve",
                }.get(d.status, "reopen")
                new = actions.demand_transition(
                    demand=d,
                    action=action,
                    actor=cast.captain_a,
                    assignee=actions.Assignee(department=cast.fire) if action == "assign" else None,
                    outcome="solved" if action == "resolve" else "",
                    note="说明" if action in ("resolve", "reopen") else "",
                )
                demands[demands.index(d)] = new
        response = _feed(client, cast.tower_a.slug, if_none_match=etag) if etag else _feed(client, cast.tower_a.slug)
        if response.status_code == 200:
            etag, data = response["ETag"], response.json()
            shown = {"figures": data["figures"], "statuses": {d["id"]: d["status"] for d in data["demands"]}}
        else:
            assert response.status_code == 304
        statuses = Counter(d.status for d in demands)
        assert shown["figures"]["received"] == len(demands)
        assert shown["figures"]["resolved"] == statuses["resolved"]
        assert shown["figures"]["in_progress"] == statuses["assigned"] + statuses["in_progress"]
        assert shown["figures"]["waiting"] == statuses["submitted"]
        assert shown["statuses"] == {d.pk: d.status for d in demands if d.is_public}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/screen/shanghai-tower/", "/api/v1/screen/area/lujiazui/"])
def test_a_feed_refuses_other_methods_with_a_json_405(method: str, path: str, cast: factories.Cast) -> None:
    """Not the CSRF check's HTML 403 (schemathesis found it): a JSON 405 naming the method, in Chinese."""
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["detail"] == f"方法 “{method.upper()}” 不被允许。"
