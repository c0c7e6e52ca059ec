"""A submission is a fixed, small number of round trips (#15): no validation query the database
enforces anyway, the captains' opt-outs read with their seats, the submitter's preference one INSERT."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from requests_tracker.models import ChannelOptOut, Demand, Notification, SubmitterPreference
from tests import factories
from tests.requests_tracker.test_api import DEMANDS, submission

pytestmark = pytest.mark.django_db

# building, category, [company], demand, event, tally, captains with their opt-outs, council webhooks,
# [submitter's preference], the outbox rows — plus the transaction (SAVEPOINT/RELEASE here, inside the
# test's transaction; BEGIN/COMMIT in production). Before #15: 20 without a company or an e-mail.
PLAIN = 10
WITH_COMPANY_AND_EMAIL = 12


def test_plain_submission_round_trips(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(PLAIN):
        response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201, response.content
    # The captain still hears of it: the outbox row is written in the same transaction.
    assert Notification.objects.filter(demand_id=response.json()["id"], recipient=cast.captain_a).exists()


def test_submission_with_company_and_email_round_trips(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    company = factories.CompanyFactory(building=cast.tower_a, name="摩根大通")
    data = submission(company_name="摩根大通", contact_email="li.lei@example.com", show_company=True)
    with django_assert_num_queries(WITH_COMPANY_AND_EMAIL):
        response = APIClient(headers={"Accept-Language": "en"}).post(DEMANDS, data, format="json")
    assert response.status_code == 201, response.content
    demand_id = response.json()["id"]
    assert SubmitterPreference.objects.get(demand_id=demand_id).language == "en"
    assert Demand.objects.get(pk=demand_id).company == company


def test_opted_out_captain_gets_no_mail_of_a_new_demand(cast: factories.Cast) -> None:
    ChannelOptOut.objects.create(user=cast.captain_a, channel="email")
    response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201
    assert not Notification.objects.filter(demand_id=response.json()["id"], recipient=cast.captain_a).exists()


def test_a_submission_still_refuses_what_the_fields_refuse(cast: factories.Cast) -> None:
    response = APIClient().post(DEMANDS, submission(title="x" * 121), format="json")
    assert response.status_code == 400
    assert "title" in response.json()
