"""Issue #14 item 11: only the submitter holds a demand's tracking token. No admin page shows it to any
staff role (captains, triagers, members, departments, district staff, superusers); staff act through their
own actions. The one exception: whoever records a demand for a walk-in resident sees its link once, to
hand it over."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_tracker import actions
from requests_tracker.models import Demand
from tests import factories
from tests.requests_tracker.htmlforms import form_by_id

pytestmark = pytest.mark.django_db

STAFF_ROLES = ("captain_a", "triager_a", "member_a", "dept_staff", "district_staff", "superuser")


def _user(cast: factories.Cast, role: str) -> Any:
    if role == "triager_a":
        triager = factories.UserFactory(username="triager_a", is_staff=True)
        factories.CouncilMemberFactory(
            council=cast.member_a.council, user=triager, display_name="周委员", can_triage=True
        )
        return triager
    return {
        "captain_a": cast.captain_a,
        "member_a": cast.plain_member_user,
        "dept_staff": cast.dept_staff,
        "district_staff": cast.district_staff,
        "superuser": cast.superuser,
    }[role]


def _demand(cast: factories.Cast) -> Demand:
    demand = factories.make_demand(
        cast.tower_a, cast.category, title="外卖上不了楼", contact_email="zhang@example.com", is_public=False
    )
    # Routed to the fire brigade, so the department sees it too; the district oversees it.
    return actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_no_admin_page_shows_the_tracking_token_to_staff(cast: factories.Cast, role: str) -> None:
    demand = _demand(cast)
    client = Client()
    client.force_login(_user(cast, role))
    pages = {
        "change": reverse("admin:requests_tracker_demand_change", args=[demand.pk]),
        "list": reverse("admin:requests_tracker_demand_changelist") + "?queue=all",
        "history": reverse("admin:requests_tracker_demand_history", args=[demand.pk]),
        "export": reverse("admin:requests_tracker_demand_export", args=["csv"]) + "?queue=all",
    }
    seen = {}
    for name, url in pages.items():
        response = client.get(url)
        seen[name] = response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert demand.token.encode() not in body, f"{role} sees the token on the {name} page"
    # The pages did open: the test looked at what the role really sees.
    assert seen["change"] == 200 and seen["list"] == 200


@pytest.mark.parametrize("role", ["district_staff", "dept_staff"])
def test_read_only_staff_cannot_change_the_submitters_email_in_the_admin(cast: factories.Cast, role: str) -> None:
    demand = _demand(cast)
    client = Client()
    client.force_login(_user(cast, role))
    url = reverse("admin:requests_tracker_demand_change", args=[demand.pk])
    response = client.post(url, {"contact_email": "attacker@example.com"})
    assert response.status_code == 403
    demand.refresh_from_db()
    assert demand.contact_email == "zhang@example.com"


def test_recording_a_demand_for_a_walk_in_resident_shows_its_link_once(cast: factories.Cast) -> None:
    client = Client(headers={"accept-language": "en"})
    client.force_login(cast.captain_a)
    add_url = reverse("admin:requests_tracker_demand_add")
    form = form_by_id(client.get(add_url).content.decode(), "demand_form")
    form.data.update(building=str(cast.tower_a.pk), category=str(cast.category.pk), title="Lift 4 not linked")
    form.data.pop("_addanother", None)
    form.data.pop("_continue", None)

    handed_over = client.post(add_url, form.data, follow=True).content.decode()
    demand = Demand.objects.get()
    assert f"/t/{demand.token}/" in handed_over

    later = client.get(reverse("admin:requests_tracker_demand_change", args=[demand.pk])).content.decode()
    assert demand.token not in later
