"""Issue #14 item 12 (the admin): a demand's contact details are masked (139****5678) for every staff role
until "show" is pressed; each show is logged (who, whose, when) in an access log that district staff read
(their district's) and nobody edits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_tracker import actions
from requests_tracker.models import ContactReveal, Demand
from requests_tracker.privacy import mask_email, mask_name, mask_phone
from tests import factories

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "张三丰", "13912345678", "zhang.san@example.com"
ROLES = ("captain_a", "member_a", "dept_staff", "district_staff", "superuser")


def _user(cast: factories.Cast, role: str) -> Any:
    return {
        "captain_a": cast.captain_a,
        "member_a": cast.plain_member_user,
        "dept_staff": cast.dept_staff,
        "district_staff": cast.district_staff,
        "superuser": cast.superuser,
    }[role]


@pytest.fixture
def demand(cast: factories.Cast) -> Demand:
    d = factories.make_demand(
        cast.tower_a, cast.category, contact_name=NAME, contact_phone=PHONE, contact_email=EMAIL, is_public=False
    )
    return actions.demand_transition(
        demand=d, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )


def _client(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _change_url(demand: Demand) -> str:
    return reverse("admin:requests_tracker_demand_change", args=[demand.pk])


def _reveal_url(demand: Demand) -> str:
    return reverse("admin:requests_tracker_demand_contact", args=[demand.pk])


def _shows(html: str) -> bool:
    return PHONE in html or EMAIL in html or NAME in html


def test_the_masks() -> None:
    assert mask_phone(PHONE) == "139****5678"
    assert mask_email(EMAIL) == "z***@example.com"
    assert mask_name(NAME) == "张**"
    assert (mask_phone(""), mask_email(""), mask_name("")) == ("", "", "")


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_sees_contact_details_masked_until_show_and_each_show_is_logged(
    cast: factories.Cast, demand: Demand, role: str
) -> None:
    user = _user(cast, role)
    client = _client(user)
    page = client.get(_change_url(demand)).content.decode()
    assert not _shows(page)
    assert "139****5678" in page and "z***@example.com" in page and "张**" in page
    # The "show" button submits the page's form (with its CSRF token) to the reveal address.
    assert re.search(rf'formaction="{re.escape(_reveal_url(demand))}"', page)
    assert not ContactReveal.objects.exists()

    response = client.post(_reveal_url(demand), follow=True)

    assert response.redirect_chain[-1][0] == _change_url(demand)
    assert _shows(response.content.decode())
    [log] = ContactReveal.objects.all()
    assert (log.user, log.username, log.demand, log.demand_number) == (user, user.username, demand, demand.pk)
    assert log.fields == ["contact_name", "contact_phone", "contact_email"]
    # Shown for a few minutes in this session only; another show is another line in the log.
    assert not _shows(_client(user).get(_change_url(demand)).content.decode())
    client.post(_reveal_url(demand))
    assert ContactReveal.objects.count() == 2


def test_the_reveal_lasts_only_the_configured_minutes(cast: factories.Cast, demand: Demand, settings: Any) -> None:
    client = _client(cast.captain_a)
    client.post(_reveal_url(demand))
    assert _shows(client.get(_change_url(demand)).content.decode())
    settings.CONTACT_REVEAL_MINUTES = 0
    assert not _shows(client.get(_change_url(demand)).content.decode())


def test_nobody_sees_what_is_out_of_their_scope_and_a_get_logs_nothing(cast: factories.Cast, demand: Demand) -> None:
    assert _client(cast.captain_b).post(_reveal_url(demand)).status_code == 404
    assert _client(cast.captain_a).get(_reveal_url(demand)).status_code == 405
    anonymous = Client().post(_reveal_url(demand))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert not ContactReveal.objects.exists()


def test_saving_the_masked_page_keeps_the_details_and_a_shown_page_edits_them(
    cast: factories.Cast, demand: Demand
) -> None:
    from tests.requests_tracker.htmlforms import form_by_id

    client = _client(cast.captain_a)
    form = form_by_id(client.get(_change_url(demand)).content.decode(), "demand_form")
    assert "contact_phone" not in form.data
    form.data["floor"] = "52"
    assert client.post(_change_url(demand), form.data).status_code == 302
    demand.refresh_from_db()
    assert (demand.floor, demand.contact_phone, demand.contact_email) == (52, PHONE, EMAIL)

    client.post(_reveal_url(demand))
    form = form_by_id(client.get(_change_url(demand)).content.decode(), "demand_form")
    assert form.data["contact_phone"] == PHONE
    form.data["contact_phone"] = "13700001111"
    assert client.post(_change_url(demand), form.data).status_code == 302
    demand.refresh_from_db()
    assert demand.contact_phone == "13700001111"


def test_district_staff_read_the_access_log_of_their_district_only(cast: factories.Cast, demand: Demand) -> None:
    putuo = factories.DistrictFactory(slug="putuo", name="普陀区", name_en="Putuo District")
    changshou = factories.SubdistrictFactory(slug="changshou", name="长寿路街道", district=putuo)
    elsewhere = factories.BuildingFactory(slug="pinggao", name="平高国际大厦", subdistrict=changshou)
    other = factories.make_demand(elsewhere, cast.category, contact_phone=PHONE)
    _client(cast.dept_staff).post(_reveal_url(demand))
    _client(cast.superuser).post(_reveal_url(other))

    district = _client(cast.district_staff)
    listing = district.get(reverse("admin:requests_tracker_contactreveal_changelist"))
    assert listing.status_code == 200
    rows = list(listing.context["cl"].result_list)
    assert [(r.username, r.demand_number) for r in rows] == [(cast.dept_staff.username, demand.pk)]
    assert PHONE not in listing.content.decode()  # the log says whose, never the details themselves
    # Read-only for everyone: no add, no edit, no delete.
    log = rows[0]
    for user in (cast.district_staff, cast.superuser):
        c = _client(user)
        assert c.get(reverse("admin:requests_tracker_contactreveal_add")).status_code == 403
        assert c.get(reverse("admin:requests_tracker_contactreveal_delete", args=[log.pk])).status_code == 403
        c.post(reverse("admin:requests_tracker_contactreveal_change", args=[log.pk]), {"username": "someone"})
    log.refresh_from_db()
    assert log.username == cast.dept_staff.username
    # The councils and departments whose shows it records do not read it.
    for user in (cast.captain_a, cast.dept_staff):
        assert _client(user).get(reverse("admin:requests_tracker_contactreveal_changelist")).status_code == 403


@pytest.mark.parametrize("rows", [1, 20])
def test_the_access_log_list_runs_a_fixed_number_of_queries(
    cast: factories.Cast, demand: Demand, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        actions.contact_reveal(demand=demand, actor=cast.dept_staff)
    client = _client(cast.district_staff)
    client.get(reverse("admin:requests_tracker_contactreveal_changelist"))  # the session, warmed
    # session; user; the scope (seats, departments, districts: 3); counts (filtered and total: 2); the
    # user's permissions for the admin's menu (2); the rows, with their buildings (1)
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:requests_tracker_contactreveal_changelist"))
    assert response.status_code == 200 and len(response.context["cl"].result_list) == rows
