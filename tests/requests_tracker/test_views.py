"""The residents' pages: pick a building, raise a demand, follow it by its tracking link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.throttling import ScopedRateThrottle

from buildings.models import Building
from requests_tracker import actions
from requests_tracker.intake.forms import DemandSubmitForm
from requests_tracker.models import Demand
from requests_tracker.validators import FLOOR_OUTSIDE, normalize_mainland_mobile
from tests import factories
from tests.requests_tracker.htmlforms import Form, forms_in

pytestmark = pytest.mark.django_db


XSS = "<img src=x onerror=alert(1)>"


def submit_url(building: Building) -> str:
    return reverse("demand-submit", args=[building.slug])


def demand_form(html: str) -> Form:
    [form] = [f for f in forms_in(html) if "demand-form" in f.attrs.get("class", "")]
    return form


def valid_post(cast: factories.Cast, **overrides: str) -> dict[str, str]:
    data = {
        "category": cast.category.code,
        "title": "外卖无法上楼",
        "description": "午餐时间一楼大堂很乱",
        "floor": "52",
        "company_name": "摩根大通",
        "contact_name": "张三",
        "contact_phone": "138-1234-5678",
        "contact_email": "zhang.san@example.com",
        "is_public": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<p class="error" id="error-{field}">(.*?)</p>', html, flags=re.S)


# --- the building picker ------------------------------------------------------------------------


@pytest.fixture
def putuo_building(cast: factories.Cast) -> Building:
    putuo = factories.DistrictFactory(slug="putuo", name="普陀区", name_en="Putuo District")
    changshou = factories.SubdistrictFactory(
        slug="changshou-road", name="长寿路街道", name_en="Changshou Road", district=putuo
    )
    return factories.BuildingFactory(
        slug="pinggao", name="平高国际大厦", name_en="Pinggao Plaza", subdistrict=changshou
    )


def test_home_lists_buildings_under_their_district_and_subdistrict(
    client: Client, cast: factories.Cast, putuo_building: Building
) -> None:
    factories.BuildingFactory(
        slug="closed-tower", name="已关闭大厦", subdistrict=cast.tower_a.subdistrict, is_active=False
    )

    html = client.get("/").content.decode()

    order = [
        "浦东新区",
        "陆家嘴街道",
        submit_url(cast.tower_b),
        submit_url(cast.tower_a),
        "普陀区",
        "长寿路街道",
        submit_url(putuo_building),
    ]
    positions = [html.find(text) for text in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert html.index("浦东新区") < html.index("陆家嘴街道") < html.index(submit_url(cast.tower_a))
    assert html.index(submit_url(cast.tower_a)) < html.index("普陀区") < html.index("长寿路街道")
    assert html.index("长寿路街道") < html.index(submit_url(putuo_building))
    assert "已关闭大厦" not in html


@pytest.mark.parametrize("extra_buildings", [0, 12])
def test_home_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, putuo_building: Building, django_assert_num_queries: Any, extra_buildings: int
) -> None:
    for _ in range(extra_buildings):
        factories.BuildingFactory(subdistrict=putuo_building.subdistrict)

    with django_assert_num_queries(3):  # districts, sub-districts, buildings
        response = client.get("/")

    assert response.content.decode().count('class="card"') == 3 + extra_buildings


# --- the submission form ------------------------------------------------------------------------


def test_submit_page_opens_for_an_active_building(client: Client, cast: factories.Cast) -> None:
    response = client.get(submit_url(cast.tower_a))

    html = response.content.decode()
    assert response.status_code == 200
    assert "上海中心大厦" in html
    assert f'value="{cast.category.code}"' in html


@pytest.mark.parametrize("slug", ["no-such-tower", "closed-tower"])
def test_submit_page_is_404_for_unknown_or_closed_buildings(client: Client, cast: factories.Cast, slug: str) -> None:
    factories.BuildingFactory(slug="closed-tower", is_active=False)

    assert client.get(f"/b/{slug}/submit/").status_code == 404


@pytest.mark.parametrize("companies", [0, 8])
def test_submit_page_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, companies: int
) -> None:
    for _ in range(companies):
        factories.CompanyFactory(building=cast.tower_a)

    with django_assert_num_queries(3):  # the building with its council, its companies, the categories
        response = client.get(submit_url(cast.tower_a))

    assert response.content.decode().count("<option value=") == companies


def test_floor_in_the_link_is_filled_in(client: Client, cast: factories.Cast) -> None:
    html = client.get(submit_url(cast.tower_a) + "?floor=52").content.decode()

    assert demand_form(html).data["floor"] == "52"


@pytest.mark.parametrize("floor", ["abc", "--5", "²", "5" * 40, "-"])
def test_a_nonsense_floor_in_the_link_is_ignored(client: Client, cast: factories.Cast, floor: str) -> None:
    response = client.get(submit_url(cast.tower_a), {"floor": floor})

    assert response.status_code == 200
    assert demand_form(response.content.decode()).data["floor"] == ""


def test_valid_submission_creates_one_web_demand_and_goes_to_its_tracking_page(
    client: Client, cast: factories.Cast
) -> None:
    response = client.post(submit_url(cast.tower_a), valid_post(cast))

    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{demand.token}/"
    assert (demand.building, demand.category, demand.channel, demand.status) == (
        cast.tower_a,
        cast.category,
        Demand.Channel.WEB,
        "submitted",
    )
    assert (demand.title, demand.floor, demand.company_name, demand.is_public) == ("外卖无法上楼", 52, "摩根大通", True)
    assert (demand.contact_name, demand.contact_phone, demand.contact_email) == (
        "张三",
        "13812345678",
        "zhang.san@example.com",
    )
    assert demand.submitted_by is None


@pytest.fixture
def submit_rate_3_per_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF reads the rates into a class attribute at import: overriding settings would not reach it.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"demand_submit": "3/min"})


def test_the_form_is_throttled_like_the_api(
    client: Client, cast: factories.Cast, submit_rate_3_per_minute: None
) -> None:
    statuses = [client.post(submit_url(cast.tower_a), valid_post(cast)).status_code for _ in range(3)]
    refused = client.post(submit_url(cast.tower_a), valid_post(cast, title="第四条"))
    api = client.post("/api/v1/demands/", {"building": cast.tower_a.slug, "category": cast.category.code, "title": "x"})

    assert statuses == [302, 302, 302]
    assert refused.status_code == 429
    assert demand_form(refused.content.decode()).data["title"] == "第四条"
    assert 'role="alert"' in refused.content.decode()
    assert api.status_code == 429  # one budget for both ways in
    assert Demand.objects.count() == 3


def test_unticking_public_keeps_the_demand_off_the_public_board(client: Client, cast: factories.Cast) -> None:
    data = valid_post(cast)
    del data["is_public"]

    client.post(submit_url(cast.tower_a), data)

    assert Demand.objects.get().is_public is False


def test_signed_in_resident_is_recorded_as_submitter(client: Client, cast: factories.Cast) -> None:
    client.force_login(cast.resident)

    client.post(submit_url(cast.tower_a), valid_post(cast))

    assert Demand.objects.get().submitted_by == cast.resident


def _expected_errors(cast: factories.Cast, language: str) -> dict[str, str]:
    """What each invalid field says, in `language` (from the catalogs, whatever they hold)."""
    fields = DemandSubmitForm.base_fields
    with translation.override(language):
        with pytest.raises(ValidationError) as mobile:
            normalize_mainland_mobile("12345")
        name = cast.tower_a.localized_name
        return {
            "category": str(fields["category"].error_messages["required"]),
            "title": str(fields["title"].error_messages["required"]),
            "floor-high": str(FLOOR_OUTSIDE) % {"building": name, "low": -3, "high": 127},
            "floor-low": str(FLOOR_OUTSIDE) % {"building": name, "low": -3, "high": 127},
            "contact_phone": mobile.value.messages[0],
            "contact_email": str(EmailValidator.message),
        }


INVALID = [
    ("category", {"category": None}, "category"),
    ("category", {"category": "no-such-category"}, None),
    ("title", {"title": "   "}, "title"),
    ("title", {"title": "外卖\x00无法上楼"}, None),
    ("description", {"description": "\x00"}, None),
    ("floor", {"floor": "128"}, "floor-high"),
    ("floor", {"floor": "-4"}, "floor-low"),
    ("contact_phone", {"contact_phone": "12345"}, "contact_phone"),
    ("contact_email", {"contact_email": "zhang.san@"}, "contact_email"),
]


@pytest.mark.parametrize(("field", "overrides", "message"), INVALID)
def test_invalid_submission_says_what_is_wrong_in_chinese_and_keeps_the_input(
    client: Client, cast: factories.Cast, field: str, overrides: dict[str, Any], message: str | None
) -> None:
    response = client.post(submit_url(cast.tower_a), valid_post(cast, **overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert Demand.objects.count() == 0
    assert '<html lang="zh-CN">' in html
    errors = field_errors(html, field)
    assert len(errors) == 1
    # Next to the field for screen readers too: the field points at its error.
    tag = "fieldset" if field == "category" else f'(?:input|textarea)[^>]*name="{field}"'
    element = re.search(rf"<{tag}[^>]*>", html)
    assert element
    described_by = re.search(r'aria-describedby="([^"]*)"', element.group(0))
    assert described_by
    assert f"error-{field}" in described_by.group(1).split()
    if message:
        assert errors[0] == escape(_expected_errors(cast, "zh-hans")[message])
    kept = demand_form(html).data
    for name in ("title", "description", "company_name", "contact_name", "contact_email", "floor"):
        if name != field and name not in overrides:
            assert kept[name] == valid_post(cast)[name], name
    assert kept.get("is_public") == "on"


def test_errors_are_in_chinese_by_default(client: Client, cast: factories.Cast) -> None:
    html = client.post(
        submit_url(cast.tower_a), valid_post(cast, contact_email="zhang.san@", floor="200")
    ).content.decode()

    assert field_errors(html, "contact_email") == ["请输入合法的邮件地址。"]
    assert "上海中心大厦" in field_errors(html, "floor")[0]


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_errors_are_in_english_when_the_resident_reads_english(cast: factories.Cast, how: str) -> None:
    if how == "cookie":
        client = Client()
        client.cookies["django_language"] = "en"
    else:
        client = Client(headers={"accept-language": "en-US,en;q=0.9"})

    html = client.post(
        submit_url(cast.tower_a), valid_post(cast, contact_email="zhang.san@", floor="200", category=None)
    ).content.decode()

    expected = _expected_errors(cast, "en")
    assert '<html lang="en">' in html
    assert field_errors(html, "contact_email") == ["Enter a valid email address."]
    assert field_errors(html, "floor") == [expected["floor-high"]]
    assert "Shanghai Tower" in field_errors(html, "floor")[0]
    assert field_errors(html, "category") == [expected["category"]]


def test_a_script_in_the_title_is_shown_as_text_on_the_form_and_the_tracking_page(
    client: Client, cast: factories.Cast
) -> None:
    form_page = client.post(submit_url(cast.tower_a), valid_post(cast, title=XSS, category=None)).content.decode()
    client.post(submit_url(cast.tower_a), valid_post(cast, title=XSS, description=XSS))
    demand = Demand.objects.get()
    track_page = client.get(f"/t/{demand.token}/").content.decode()

    for html in (form_page, track_page):
        assert XSS not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert demand.title == XSS


# --- the tracking page --------------------------------------------------------------------------


@pytest.fixture
def demand(cast: factories.Cast) -> Demand:
    return factories.make_demand(
        cast.tower_a,
        cast.category,
        title="Food deliveries cannot come upstairs",
        company_name="JPMorgan",
        contact_name="Zhang San",
        contact_phone="13812345678",
        contact_email="zhang.san@example.com",
    )


def _steps(html: str) -> list[tuple[str, str]]:
    block = re.search(r'<ol class="steps"[^>]*>(.*?)</ol>', html, flags=re.S)
    assert block
    return re.findall(r'<li class="([^"]*)".*?<span class="label">(.*?)</span>', block.group(1), flags=re.S)


def _en_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_tracking_page_shows_title_four_steps_and_the_public_timeline(cast: factories.Cast, demand: Demand) -> None:
    demand = actions.demand_transition(
        demand=demand,
        action="assign",
        actor=cast.captain_a,
        assignee=actions.Assignee(department=cast.fire),
        note="Passed to the fire brigade",
    )

    html = _en_client().get(f"/t/{demand.token}/").content.decode()

    assert "Food deliveries cannot come upstairs" in html
    steps = _steps(html)
    assert [label for _, label in steps] == ["Submitted", "Assigned", "In progress", "Resolved"]
    assert [cls.split() for cls, _ in steps] == [["done"], ["done", "current"], [], []]
    assert "Passed to the fire brigade" in html
    assert "上海中心大厦楼事会" in html  # who acted, as a body


def test_tracking_page_shows_the_outcome_and_public_note_once_resolved(cast: factories.Cast, demand: Demand) -> None:
    demand = actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    before = _en_client().get(f"/t/{demand.token}/").content.decode()
    actions.demand_transition(
        demand=demand,
        action="resolve",
        actor=cast.dept_staff,
        outcome="proposal",
        note="Heated lockers will be installed at 1F gate 2.",
    )

    html = _en_client().get(f"/t/{demand.token}/").content.decode()

    assert "Way forward proposed" not in before
    assert "Way forward proposed" in html
    assert "Heated lockers will be installed at 1F gate 2." in html
    assert [cls.split() for cls, _ in _steps(html)] == [["done"], ["done"], ["done"], ["done", "current"]]


def test_internal_notes_never_reach_the_tracking_page(cast: factories.Cast, demand: Demand) -> None:
    actions.demand_add_note(demand=demand, actor=cast.captain_a, note="The tenant is difficult", is_public=False)
    actions.demand_add_note(demand=demand, actor=cast.captain_a, note="We are on it", is_public=True)

    html = Client().get(f"/t/{demand.token}/").content.decode()

    assert "We are on it" in html
    assert "The tenant is difficult" not in html


def test_contact_details_never_reach_the_tracking_page(cast: factories.Cast, demand: Demand) -> None:
    html = Client().get(f"/t/{demand.token}/").content.decode()

    for private in ("Zhang San", "13812345678", "zhang.san@example.com"):
        assert private not in html


@pytest.mark.parametrize("token", ["wrong-token", "a" * 22, "ab%00cd", "%E4%B8%8A" * 20])
def test_wrong_token_is_404(client: Client, demand: Demand, token: str) -> None:
    assert client.get(f"/t/{token}/").status_code == 404


@pytest.mark.parametrize("notes", [1, 12])
def test_tracking_page_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, demand: Demand, django_assert_num_queries: Any, notes: int
) -> None:
    for i in range(notes):
        actions.demand_add_note(demand=demand, actor=cast.captain_a, note=f"update {i}", is_public=True)

    # the demand with building, council and category; its public events; photos; the projects it is part of;
    # the guide matters of its category
    with django_assert_num_queries(5):
        response = client.get(f"/t/{demand.token}/")

    assert response.content.decode().count("update ") == notes


# --- languages ----------------------------------------------------------------------------------


def test_pages_are_chinese_by_default(client: Client, cast: factories.Cast) -> None:
    html = client.get("/").content.decode()

    assert '<html lang="zh-CN">' in html
    assert "上海中心大厦" in html
    assert "Shanghai Tower" not in html


def test_language_switcher_turns_the_site_to_english(client: Client, cast: factories.Cast) -> None:
    page = client.get(submit_url(cast.tower_a)).content.decode()
    [switcher] = [f for f in forms_in(page) if f.action == reverse("set_language")]
    assert ("language", "en") in switcher.buttons

    response = client.post(reverse("set_language"), {**switcher.data, "language": "en"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == submit_url(cast.tower_a)
    assert '<html lang="en">' in html
    assert "Shanghai Tower" in html
    assert "Deliveries" in html  # the category, in English
    assert client.get("/").content.decode().count("Shanghai Tower") >= 1


# --- every word on the pages is translatable ------------------------------------------------------


def test_templates_have_no_text_outside_translation_tags() -> None:
    from pathlib import Path

    from django.conf import settings

    untranslated = {}
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
        text = re.sub(r"<(style|script)\b.*?</\1>", "", text, flags=re.S)
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", " ", text, flags=re.S)
        words = [w for w in text.split() if re.search(r"[A-Za-z\u4e00-\u9fff]", w)]
        if words:
            untranslated[str(path.relative_to(settings.BASE_DIR))] = words
    assert untranslated == {}
