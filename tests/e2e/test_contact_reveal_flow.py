"""Chromium, under the site's CSP: district staff open a demand in the admin, see the contact details
masked, press 显示 (no script: the button submits the page's form to the reveal address), see them, and
the show is in the access log they can read; the submitter erases them from the tracking page."""

from __future__ import annotations

from typing import Any

import pytest

from requests_tracker import actions
from requests_tracker.models import ContactReveal, Demand
from tests import factories
from tests.e2e.conftest import screenshot
from tests.e2e.test_triage_flow import desktop, log_in  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_staff_show_contact_details_and_the_show_is_logged(live_server: Any, desktop: Any) -> None:  # noqa: F811
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category, contact_name="张三", contact_phone="13912345678")
    page = desktop()
    log_in(page, live_server.url, cast.district_staff.username)
    page.goto(f"{live_server.url}/admin/requests_tracker/demand/{demand.pk}/change/")
    assert "139****5678" in page.content() and "13912345678" not in page.content()

    page.get_by_role("button", name="显示").click()
    page.wait_for_url(f"**/demand/{demand.pk}/change/")
    assert "13912345678" in page.content()
    screenshot(page, "admin-contact-shown")
    [log] = ContactReveal.objects.all()
    assert log.user == cast.district_staff and log.demand_id == demand.pk

    page.goto(f"{live_server.url}/admin/requests_tracker/contactreveal/")
    assert f"#{demand.pk}" in page.locator("#result_list").inner_text()


def test_the_submitter_erases_contact_details_on_a_phone(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category, contact_phone="13912345678")
    page = phone_page
    page.goto(f"{live_server.url}/t/{demand.token}/")
    page.get_by_text("您的联系方式").click()
    assert page.get_by_text("139****5678").is_visible()
    page.get_by_role("button", name="立即删除我的联系方式").click()
    page.wait_for_url(f"**/t/{demand.token}/")
    assert "您的联系方式已删除" in page.content()
    assert Demand.objects.get(pk=demand.pk).contact_phone == ""
    assert not actions.demand_erase_contact(demand=demand, by=actions.ERASED_BY_SUBMITTER)
