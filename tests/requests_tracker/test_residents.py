"""The residents' side: the public board, a demand's public page, supports, photos, “Not solved?”,
e-mail follow-up, look-alike demands, double taps and the QR posters."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from buildings import qr
from buildings.models import CouncilMember
from requests_tracker import actions, links, selectors
from requests_tracker.intake.similarity import THRESHOLD, similarity
from requests_tracker.models import Demand, DemandEvent, DemandPhoto, Support
from requests_tracker.workflow import Action, Status
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at
from tests.requests_tracker.htmlforms import forms_in

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def board_url(demand_or_building: Any) -> str:
    return reverse("board", args=[demand_or_building.slug])


def public_url(demand: Demand) -> str:
    return reverse("demand-public", args=[demand.building.slug, demand.pk])


def support_url(demand: Demand) -> str:
    return reverse("demand-support", args=[demand.building.slug, demand.pk])


def submit_post(cast: factories.Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"category": cast.category.code, "title": "外卖无法上楼", "is_public": "on"}
    data.update(overrides)
    return data


def jpeg_with_gps(name: str = "IMG_0001.jpg", size: tuple[int, int] = (640, 480)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 30.0, 0.0)}  # GPS: Lujiazui
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# --- look-alike demands (Chinese has no spaces between words) -------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("外卖无法上楼", "外卖送不上楼"),
        ("外卖上不了楼", "楼上收不到外卖"),
        ("电梯不联动", "四部电梯没有联动"),
        ("空调太冷", "空调不制冷"),
        ("希望增加停车位", "停车位太少"),
        ("Food deliveries cannot come upstairs", "Deliveries cannot come up"),
    ],
)
def test_chinese_titles_about_the_same_thing_look_alike(a: str, b: str) -> None:
    assert similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("外卖无法上楼", "楼下停车位太少"),
        ("会议室不够用", "电梯不联动"),
        ("空调太冷", "电梯太慢"),
        ("52楼厕所漏水", "52楼空调不冷"),
        ("食堂饭菜太贵", "外卖无法上楼"),
    ],
)
def test_chinese_titles_about_different_things_do_not(a: str, b: str) -> None:
    assert similarity(a, b) < THRESHOLD


def test_similar_lists_only_open_public_demands_of_the_same_building(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    shown = factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼")
    factories.make_demand(cast.tower_a, cast.category, title="外卖上不来楼", is_public=False)
    factories.make_demand(cast.tower_b, cast.category, title="外卖送不上楼啊")
    hidden = factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼了")
    Demand.objects.filter(pk=hidden.pk).update(is_hidden=True)
    demand_at(cast, Status.RESOLVED, title="外卖不能上楼")
    factories.make_demand(cast.tower_a, cast.category, title="停车位太少")

    with django_assert_num_queries(2):  # the building; the candidates
        response = client.get(reverse("similar-demands", args=[cast.tower_a.slug]), {"title": "外卖无法上楼"})

    html = response.content.decode()
    assert set(re.findall(r'/d/(\d+)/"', html)) == {str(shown.pk)}
    assert "+1" in html


def test_similar_for_a_title_with_a_script_shows_it_as_text(client: Client, cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category, title=XSS + "外卖上楼")
    html = client.get(
        reverse("similar-demands", args=[cast.tower_a.slug]), {"title": XSS + "外卖上楼"}
    ).content.decode()
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- the submit form: double taps, honeypot, company, photos ---------------------------------------


def test_a_double_tap_creates_one_demand(client: Client, cast: factories.Cast) -> None:
    form = next(
        f
        for f in forms_in(client.get(reverse("demand-submit", args=[cast.tower_a.slug])).content.decode())
        if "demand-form" in f.attrs.get("class", "")
    )
    key = form.data["submission_key"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)

    first = client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, submission_key=key))
    second = client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, submission_key=key))

    demand = Demand.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/t/{demand.token}/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_taps_at_the_same_moment_create_one_demand(cast: factories.Cast) -> None:
    barrier = threading.Barrier(2)
    results: list[Demand] = []

    def tap() -> None:
        barrier.wait()
        try:
            results.append(
                actions.demand_submit_once(
                    submission_key="a" * 32, building=cast.tower_a, category=cast.category, title="电梯不联动"
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Demand.objects.count() == 1
    assert [d.pk for d in results] == [Demand.objects.get().pk] * 2


@pytest.mark.parametrize("key", ["a\x00b", "x" * 100, "<script>"])
def test_a_malformed_submission_key_is_ignored_not_an_error(client: Client, cast: factories.Cast, key: str) -> None:
    response = client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, submission_key=key))
    assert response.status_code == 302
    assert Demand.objects.get().submission_key is None


def test_a_filled_honeypot_creates_nothing(client: Client, cast: factories.Cast) -> None:
    response = client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, website="http://spam.example")
    )
    assert response.status_code == 400
    assert Demand.objects.count() == 0


def test_honeypot_is_hidden_from_people(client: Client, cast: factories.Cast) -> None:
    html = client.get(reverse("demand-submit", args=[cast.tower_a.slug])).content.decode()
    assert re.search(r'<div class="hp" aria-hidden="true">.*?name="website".*?tabindex="-1"', html, flags=re.S)


def test_company_is_shown_publicly_only_when_allowed(client: Client, cast: factories.Cast) -> None:
    client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, company_name="摩根大通"))
    client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]),
        submit_post(cast, title="电梯不联动", company_name="汇丰银行", show_company="on"),
    )
    anonymous, named = Demand.objects.order_by("id")

    anonymous_page = client.get(public_url(anonymous)).content.decode()
    named_page = client.get(public_url(named)).content.decode()
    assert "摩根大通" not in anonymous_page
    assert "某企业员工" in anonymous_page
    assert "汇丰银行" in named_page


def test_photos_are_reencoded_without_exif_under_a_generated_name(client: Client, cast: factories.Cast) -> None:
    response = client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]),
        submit_post(cast, photos=[jpeg_with_gps("我的位置.jpg", (3000, 2000))]),
    )
    assert response.status_code == 302
    photo = DemandPhoto.objects.get()
    stored = Path(photo.image.path)
    assert "我的位置" not in stored.name and stored.suffix == ".jpg"
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert max(image.size) == 1600


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field_in_chinese(
    client: Client, cast: factories.Cast
) -> None:
    fake = SimpleUploadedFile("cat.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, title="保留的标题", photos=[fake])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="error-photos">[^<]*不是照片', html)
    assert 'value="保留的标题"' in html
    assert Demand.objects.count() == 0


def test_after_a_refused_submission_the_resident_is_told_to_choose_the_photos_again(
    client: Client, cast: factories.Cast
) -> None:
    response = client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, title="", photos=[jpeg_with_gps()])
    )
    assert "请重新选择照片" in response.content.decode()
    assert DemandPhoto.objects.count() == 0


def test_more_than_three_photos_are_refused(client: Client, cast: factories.Cast) -> None:
    photos = [jpeg_with_gps(f"{i}.jpg") for i in range(4)]
    response = client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, photos=photos))
    assert re.search(r'id="error-photos">[^<]*3', response.content.decode())
    assert Demand.objects.count() == 0


def test_photos_are_served_as_images_never_as_html(client: Client, cast: factories.Cast) -> None:
    client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, photos=[jpeg_with_gps()]))
    demand = Demand.objects.get()
    photo = demand.photos.get()

    response = client.get(reverse("photo-public", args=[cast.tower_a.slug, demand.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_photos_of_a_private_or_hidden_demand_are_not_public_but_reach_the_submitter(
    client: Client, cast: factories.Cast
) -> None:
    client.post(
        reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, is_public="", photos=[jpeg_with_gps()])
    )
    demand = Demand.objects.get()
    photo = demand.photos.get()

    assert client.get(reverse("photo-public", args=[cast.tower_a.slug, demand.pk, photo.pk])).status_code == 404
    assert client.get(reverse("photo-by-token", args=[demand.token, photo.pk])).status_code == 200
    assert client.get(reverse("photo-by-token", args=["x" * 22, photo.pk])).status_code == 404


# --- the building's public board ---------------------------------------------------------------


def test_board_shows_only_public_unhidden_demands_of_the_building(client: Client, cast: factories.Cast) -> None:
    shown = factories.make_demand(cast.tower_a, cast.category, title="公开的诉求")
    factories.make_demand(cast.tower_a, cast.category, title="不公开的诉求", is_public=False)
    hidden = factories.make_demand(cast.tower_a, cast.category, title="被隐藏的诉求")
    Demand.objects.filter(pk=hidden.pk).update(is_hidden=True)
    factories.make_demand(cast.tower_b, cast.category, title="别的楼的诉求")

    html = client.get(board_url(cast.tower_a)).content.decode()

    assert shown.title in html
    for title in ("不公开的诉求", "被隐藏的诉求", "别的楼的诉求"):
        assert title not in html
    assert client.get(public_url(hidden)).status_code == 404
    assert client.get(reverse("demand-public", args=[cast.tower_b.slug, shown.pk])).status_code == 404


def test_board_figures_are_the_shared_headline_figures(client: Client, cast: factories.Cast) -> None:
    demand_at(cast, Status.RESOLVED)
    demand_at(cast, Status.IN_PROGRESS, is_public=False)
    demand_at(cast, Status.ASSIGNED)
    factories.make_demand(cast.tower_a, cast.category)
    figures = selectors.demand_figures(Demand.objects.filter(building=cast.tower_a))

    html = client.get(board_url(cast.tower_a)).content.decode()
    shown = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))

    assert shown == {"收到": str(figures.received), "已解决": str(figures.resolved), "办理中": str(figures.in_progress)}
    assert (figures.received, figures.resolved, figures.in_progress) == (4, 1, 2)


def test_board_roster_shows_public_members_only(client: Client, cast: factories.Cast) -> None:
    factories.CouncilMemberFactory(
        council=cast.tower_a.council, display_name="隐名委员", role=CouncilMember.Role.PROPERTY_MANAGER, is_public=False
    )
    html = client.get(board_url(cast.tower_a)).content.decode()
    assert "王楼长" in html
    assert "隐名委员" not in html


def test_board_filters_by_status_and_category_and_orders_by_support(client: Client, cast: factories.Cast) -> None:
    other = factories.CategoryFactory(code="parking", name="停车", name_en="Parking")
    quiet = factories.make_demand(cast.tower_a, cast.category, title="安静的诉求")
    popular = factories.make_demand(cast.tower_a, cast.category, title="热门的诉求")
    Demand.objects.filter(pk=popular.pk).update(support_count=9)
    factories.make_demand(cast.tower_a, other, title="停车位太少")
    done = demand_at(cast, Status.RESOLVED, title="已解决的诉求")

    def titles(**params: str) -> list[str]:
        html = client.get(board_url(cast.tower_a), params).content.decode()
        return re.findall(r'<strong class="title">(.*?)</strong>', html)

    assert titles(status="resolved") == [done.title]
    assert titles(category="parking") == ["停车位太少"]
    assert titles(order="supported")[0] == popular.title
    assert titles()[-1] == quiet.title  # newest first
    assert titles(status="nonsense", category="nonsense", order="nonsense", page="x")[0] == done.title


def test_board_pages_through_many_demands(client: Client, cast: factories.Cast) -> None:
    for i in range(23):
        factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i:02d}")
    page1 = client.get(board_url(cast.tower_a)).content.decode()
    page2 = client.get(board_url(cast.tower_a), {"page": "2"}).content.decode()
    assert page1.count('class="board-item"') == 20
    assert page2.count('class="board-item"') == 3
    assert client.get(board_url(cast.tower_a), {"page": "999"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_board_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows):
        factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i}")
    # the slug's id (once: then it is in the cache, and a cached board needs no query at all);
    # building+council; the building's stamp (its digest, once: then it is in the cache; the anonymous
    # page cache is keyed by it); categories; demand page; count; roster; figures; the sections features
    # register (buildings.panels): surveys 1, elections 2 (current elections, the council's timeline), projects 1
    with django_assert_num_queries(12):
        response = client.get(board_url(cast.tower_a))
    assert response.content.decode().count('class="board-item"') == min(rows, 20)
    # A signed-in reader is rendered for (no page cache), with the stamp already known: 10.
    client.force_login(cast.captain_a)
    with django_assert_num_queries(10 + 2):  # + the session and its user
        response = client.get(board_url(cast.tower_a))
    assert response.content.decode().count('class="board-item"') == min(rows, 20)


@pytest.mark.parametrize("events", [1, 10])
def test_public_demand_page_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, events: int
) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    for i in range(events):
        actions.demand_add_note(demand=demand, actor=cast.captain_a, note=f"进展{i}", is_public=True)
    # building; demand; events; photos (no support lookup for a browser that never supported);
    # the sections features register: the guide matters of its category, the projects it is part of
    with django_assert_num_queries(6):
        response = client.get(public_url(demand))
    assert response.content.decode().count("进展") == events


def test_internal_notes_and_contacts_never_reach_the_public_page(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, contact_phone="13812345678", contact_name="张三")
    actions.demand_add_note(demand=demand, actor=cast.captain_a, note="内部备注", is_public=False)
    html = client.get(public_url(demand)).content.decode()
    assert "13812345678" not in html and "张三" not in html and "内部备注" not in html


def test_a_script_in_a_title_is_text_on_the_board_and_public_page(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, title=XSS)
    for url in (board_url(cast.tower_a), public_url(demand), f"/t/{demand.token}/"):
        html = client.get(url).content.decode()
        assert XSS not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- supports (附议) -------------------------------------------------------------------------------


def _browser(demand: Demand) -> Client:
    """A browser that opened the demand's page, where the server issued its key (intake.browser_keys)."""
    client = Client()
    client.get(public_url(demand))
    return client


def test_a_browser_supports_a_demand_once(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    client = _browser(demand)
    client.post(support_url(demand))
    again = client.post(support_url(demand), follow=True)

    demand.refresh_from_db()
    assert demand.support_count == 1 == Support.objects.count()
    assert "您已附议过这条诉求" in again.content.decode()
    assert "您已附议" in client.get(public_url(demand)).content.decode()


def test_two_browsers_count_twice_and_a_user_once_across_browsers(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    _browser(demand).post(support_url(demand))
    _browser(demand).post(support_url(demand))
    for _ in range(2):
        c = Client()
        c.force_login(cast.resident)
        c.post(support_url(demand))

    demand.refresh_from_db()
    assert demand.support_count == 3 == Support.objects.count()


def test_the_browser_key_is_stored_hashed(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    cookie = client.get(public_url(demand)).cookies["lsh_browser"]
    client.post(support_url(demand))
    assert cookie["httponly"]
    stored = Support.objects.get().client_key
    assert stored and stored not in cookie.value


def test_support_answers_json_for_scripts(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    response = _browser(demand).post(support_url(demand), headers={"Accept": "application/json"})
    assert response.json() == {"count": 1, "supported": True, "added": True}


def test_a_private_demand_cannot_be_supported(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, is_public=False)
    assert client.post(support_url(demand)).status_code == 404
    assert client.get(support_url(demand)).status_code == 405


# --- the tracking page: “Not solved?” and e-mail -------------------------------------------------


def test_submitter_says_not_solved_and_the_captain_reopens(client: Client, cast: factories.Cast) -> None:
    demand = demand_at(cast, Status.RESOLVED)
    page = client.get(f"/t/{demand.token}/").content.decode()
    assert "没解决？" in page

    response = client.post(reverse("track-not-solved", args=[demand.token]), {"reason": "取餐柜还没装好"})
    assert response.status_code == 302
    event = demand.events.get(kind=DemandEvent.Kind.NOT_SOLVED)
    assert event.note == "取餐柜还没装好" and event.actor is None
    # The captain sees it on the demand's full timeline, then agrees through the workflow.
    scope = selectors.actor_scope(cast.captain_a)
    assert event in selectors.timeline_for(scope, demand)
    demand.refresh_from_db()
    actions.demand_transition(demand=demand, action=Action.REOPEN, actor=cast.captain_a, note="同意，继续办理")
    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS

    page = client.get(f"/t/{demand.token}/").content.decode()
    assert "取餐柜还没装好" in page
    assert 'action="/t/' + demand.token + '/not-solved/"' not in page


def test_not_solved_is_said_once_per_resolution_with_a_reason(client: Client, cast: factories.Cast) -> None:
    demand = demand_at(cast, Status.RESOLVED)
    url = reverse("track-not-solved", args=[demand.token])

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert re.search(r'id="error-reason">[^<]*请说明', empty.content.decode())
    client.post(url, {"reason": "还是不行"})
    twice = client.post(url, {"reason": "再说一次"})
    assert twice.status_code == 400
    assert demand.events.filter(kind=DemandEvent.Kind.NOT_SOLVED).count() == 1


def test_an_open_demand_cannot_be_said_not_solved(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    assert client.post(reverse("track-not-solved", args=[demand.token]), {"reason": "x"}).status_code == 400
    assert client.post(reverse("track-not-solved", args=["wrong-token"]), {"reason": "x"}).status_code == 404
    assert not demand.events.filter(kind=DemandEvent.Kind.NOT_SOLVED).exists()


def test_submitter_leaves_an_email_that_stays_private(client: Client, cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    bad = client.post(reverse("track-follow", args=[demand.token]), {"email": "not-an-address"})
    assert bad.status_code == 400
    assert 'id="error-email"' in bad.content.decode()

    client.post(reverse("track-follow", args=[demand.token]), {"email": "li.si@example.com"})
    demand.refresh_from_db()
    assert demand.contact_email == "li.si@example.com"
    assert "li.si@example.com" not in client.get(f"/t/{demand.token}/").content.decode()
    assert "li.si@example.com" not in client.get(public_url(demand)).content.decode()


# --- QR posters ------------------------------------------------------------------------------------


def test_poster_has_the_council_the_call_a_qr_code_and_the_categories(client: Client, cast: factories.Cast) -> None:
    html = client.get(reverse("poster", args=[cast.tower_a.slug]), {"floor": "52"}).content.decode()
    assert "上海中心大厦楼事会" in html
    assert "扫码提诉求" in html
    assert "<svg" in html and "<path" in html
    assert "/b/shanghai-tower/submit/?floor=52" in html
    assert cast.category.name in html


def test_poster_ignores_a_floor_the_building_does_not_have(client: Client, cast: factories.Cast) -> None:
    html = client.get(reverse("poster", args=[cast.tower_a.slug]), {"floor": "999"}).content.decode()
    assert "submit/?floor=" not in html


def test_qr_download_is_a_png_of_the_floor_link(client: Client, cast: factories.Cast) -> None:
    response = client.get(reverse("poster-qr", args=[cast.tower_a.slug]), {"floor": "-1"})
    assert response["Content-Type"] == "image/png"
    assert "floor--1" in response["Content-Disposition"]
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG"
    assert links.submit_url(cast.tower_a, -1).endswith("/b/shanghai-tower/submit/?floor=-1")
    assert qr.qr_svg("a") != qr.qr_svg("b")


def test_the_submit_link_of_a_poster_fills_in_the_floor(client: Client, cast: factories.Cast) -> None:
    html = client.get(reverse("demand-submit", args=[cast.tower_a.slug]), {"floor": "-1"}).content.decode()
    assert re.search(r'name="floor" value="-1"', html)


def test_a_photo_over_the_size_limit_is_refused(
    client: Client, cast: factories.Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buildings import photos

    monkeypatch.setattr(photos, "MAX_BYTES", 1024)
    big = jpeg_with_gps(size=(800, 800))
    response = client.post(reverse("demand-submit", args=[cast.tower_a.slug]), submit_post(cast, photos=[big]))
    assert re.search(r'id="error-photos">[^<]*超过', response.content.decode())
    assert Demand.objects.count() == 0


@pytest.mark.parametrize("page", ["board", "public", "track", "poster", "submit"])
def test_residents_pages_switch_to_english(cast: factories.Cast, page: str) -> None:
    demand = demand_at(cast, Status.RESOLVED, title="Deliveries cannot come upstairs")
    client = Client(headers={"Accept-Language": "en"})
    url = {
        "board": board_url(cast.tower_a),
        "public": public_url(demand),
        "track": f"/t/{demand.token}/",
        "poster": reverse("poster", args=[cast.tower_a.slug]),
        "submit": reverse("demand-submit", args=[cast.tower_a.slug]),
    }[page]
    html = client.get(url).content.decode()
    main = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0])
    # The demand's own words and the council's name are data; every label around them is English.
    data_words = (
        "上海中心大厦楼事会",
        "上海中心大厦",
        "区消防救援支队",
        "已在一楼2号门安装智能取餐柜。",
        "午餐时间一楼大堂很乱",
    )
    # Role names carry their Chinese title in English too: “building captain (楼长)”.
    for data in (*data_words, "王楼长", "陈委员", "(楼长)", "(员工代表)"):
        main = main.replace(data, "")
    assert re.findall(r"[\u4e00-\u9fff]+", main) == []
