"""A submission is a fixed, small number of round trips (#15): no validation query the database
enforces anyway, the building and the category in one query, the captains' opt-outs and whether
their council has webhooks read with their seats, the submitter's preference one INSERT, and a
fixed number of Redis calls."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from buildings.models import Building
from requests_tracker import selectors
from requests_tracker.api import DemandSubmittedSerializer
from requests_tracker.models import Category, ChannelOptOut, Demand, Notification, SubmitterPreference, WebhookEndpoint
from tests import factories
from tests.requests_tracker.test_api import DEMANDS, submission

pytestmark = pytest.mark.django_db

# building and category (one query), [company], demand, event, tally, captains with their opt-outs and
# whether the council has webhooks, [the council's webhooks, when it has any], [submitter's preference],
# the outbox rows — plus the transaction (SAVEPOINT/RELEASE here, inside the test's transaction;
# BEGIN/COMMIT in production). Before #15: 20 without a company or an e-mail; 10 before this change.
PLAIN = 8
WITH_WEBHOOK = PLAIN + 1
WITH_COMPANY_AND_EMAIL = 10


def test_plain_submission_round_trips(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(PLAIN):
        response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201, response.content
    # The captain still hears of it: the outbox row is written in the same transaction.
    assert Notification.objects.filter(demand_id=response.json()["id"], recipient=cast.captain_a).exists()


def test_a_council_with_a_webhook_costs_one_more_and_its_robot_hears(
    cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    robot = WebhookEndpoint.objects.create(
        name="楼事会工作群", url="http://127.0.0.1:9/robot", council=cast.tower_a.council
    )
    with django_assert_num_queries(WITH_WEBHOOK):
        response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201, response.content
    demand_id = response.json()["id"]
    assert Notification.objects.filter(demand_id=demand_id, webhook=robot).count() == 1
    assert Notification.objects.filter(demand_id=demand_id, recipient=cast.captain_a).count() == 1


def test_a_council_without_a_captain_still_tells_its_webhook(cast: factories.Cast) -> None:
    robot = WebhookEndpoint.objects.create(
        name="楼事会工作群", url="http://127.0.0.1:9/robot", council=cast.tower_a.council
    )
    cast.tower_a.council.members.all().delete()
    response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201, response.content
    assert Notification.objects.filter(demand_id=response.json()["id"], webhook=robot).count() == 1


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


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"building": "no-such-tower"}, "building"),
        ({"category": "no-such-category"}, "category"),
        ({"building": "no-such-tower", "category": "no-such-category"}, "both"),
    ],
)
def test_an_unknown_building_or_category_is_named_as_before(
    cast: factories.Cast, overrides: dict[str, str], field: str
) -> None:
    response = APIClient().post(DEMANDS, submission(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()
    expected = {"building", "category"} if field == "both" else {field}
    assert set(errors) == expected
    assert not Demand.objects.exists()


def test_an_inactive_building_or_category_is_refused_like_an_unknown_one(cast: factories.Cast) -> None:
    Category.objects.filter(code="delivery").update(is_active=False)
    response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"category"}
    Category.objects.filter(code="delivery").update(is_active=True)
    Building.objects.filter(pk=cast.tower_a.pk).update(is_active=False)
    response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"building"}
    assert not Demand.objects.exists()


def test_submission_targets_reads_what_the_orm_reads(cast: factories.Cast) -> None:
    found = selectors.submission_targets("shanghai-tower", "delivery")
    assert found is not None
    building, category = found
    orm_building = Building.objects.get(slug="shanghai-tower")
    orm_category = Category.objects.get(code="delivery")
    for model, mine, theirs in ((Building, building, orm_building), (Category, category, orm_category)):
        for field in model._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert selectors.submission_targets("shanghai-tower", "nope") is None


def test_the_answer_is_the_generic_serializers_plus_the_token(cast: factories.Cast) -> None:
    response = APIClient().post(DEMANDS, submission(description="call 13812345678"), format="json")
    assert response.status_code == 201
    body = response.json()
    demand = Demand.objects.select_related("building", "category").get(pk=body["id"])
    expected = DemandSubmittedSerializer(demand, context={"request": response.wsgi_request}).drf_representation(demand)
    assert list(body) == list(expected)
    assert body == {**expected, "tracking_url": body["tracking_url"]}
    assert body["token"] == demand.token
    assert body["tracking_url"] == f"http://testserver/t/{demand.token}/"
    assert "13812345678" not in body["description"]  # public text is still masked


@pytest.mark.django_db(transaction=True)
def test_a_building_gone_before_commit_is_a_400_and_nothing_is_written(cast: factories.Cast) -> None:
    """The foreign keys are not asked before the insert: the database refuses the row at commit."""
    real = selectors.submission_targets

    def vanished(building_slug: str, category_code: str) -> Any:
        found = real(building_slug, category_code)
        assert found is not None
        building, category = found
        building.pk = building.id = 10**9  # as if it was deleted after it was read
        return building, category

    with mock.patch.object(selectors, "submission_targets", vanished):
        response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"building": ["该楼宇已停止受理诉求。"]}
    assert not Demand.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.redis
def test_a_submission_makes_a_fixed_number_of_redis_calls(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """One round trip for the throttle (its counter, pipelined); one after commit for every invalidation
    of the transaction (the screens' stamp, early-path entry and generation, the statistics generation,
    the building's token of the cached rollup sums: buildings.cache_ops.on_commit); one Celery message
    per outbox row. It was seven, plus the messages."""
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("the cache is not Redis here")
    import redis.connection

    sent: list[bytes] = []
    original = redis.connection.Connection.send_packed_command

    def counting(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(command)
        return original(self, command, *args, **kwargs)

    # A first submission opens the pools' connections (the cache's, the broker's, which also declares
    # the queue) and creates the generation counters: once per process, not the submission's business.
    with django_capture_on_commit_callbacks(execute=True):
        assert APIClient().post(DEMANDS, submission(), format="json").status_code == 201
    with (
        mock.patch.object(redis.connection.Connection, "send_packed_command", counting),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = APIClient().post(DEMANDS, submission(), format="json")
    assert response.status_code == 201
    outbox_rows = Notification.objects.filter(demand_id=response.json()["id"]).count()
    assert outbox_rows == 1
    # the throttle's pipeline; after commit one pipeline of SET (the rollups' token), DEL, EVAL (the
    # generations) and GET (the early path's URL, none here: no screen polled this building); one Celery
    # message per outbox row (none when tasks run eagerly).
    celery = 0 if settings.CELERY_TASK_ALWAYS_EAGER else outbox_rows
    assert len(sent) == 2 + celery, [bytes(c[0] if isinstance(c, list) else c)[:80] for c in sent]


def test_the_council_audience_is_who_the_serving_rule_names(cast: factories.Cast) -> None:
    """`recipients.council_audience` (fixed SQL) answers as `serving_members` (the ORM's serving rule):
    past, future and open-ended terms, an inactive account, an economic captain, an opted-out captain,
    a member without an account, a council with and without a webhook, a building without a council."""
    import datetime

    from django.utils import timezone

    from buildings.models import CouncilMember
    from requests_tracker.notifications import recipients
    from requests_tracker.selectors import serving_members

    today = timezone.localdate()
    council = cast.tower_a.council
    Role = CouncilMember.Role
    day = datetime.timedelta(days=1)
    for i, (role, start, end, active) in enumerate(
        [
            (Role.CAPTAIN, today - 30 * day, today - day, True),  # term over
            (Role.CAPTAIN, today + day, None, True),  # not yet
            (Role.CAPTAIN, None, today, True),  # ends today: still serving
            (Role.CAPTAIN, today, None, False),  # account switched off
            (Role.ECONOMIC_CAPTAIN, None, None, True),
            (Role.PROPERTY_MANAGER, None, None, True),  # not asked for
        ]
    ):
        user = factories.UserFactory(username=f"seat{i}", email=f"seat{i}@example.com", is_active=active)
        factories.CouncilMemberFactory(council=council, user=user, role=role, term_start=start, term_end=end)
    factories.CouncilMemberFactory(council=council, user=None, role=Role.CAPTAIN)
    ChannelOptOut.objects.create(user=cast.captain_a, channel="email")
    for roles in ([Role.CAPTAIN], [Role.CAPTAIN, Role.ECONOMIC_CAPTAIN], [Role.ECONOMIC_CAPTAIN]):
        for with_webhook in (False, True):
            WebhookEndpoint.objects.filter(council=council).delete()
            if with_webhook:
                WebhookEndpoint.objects.create(name="群", url="http://127.0.0.1:9/robot", council=council)
            users, has_webhooks = recipients.council_audience(cast.tower_a.pk, roles, today)
            seats = (
                serving_members(today)
                .filter(council__building=cast.tower_a, role__in=roles, user__is_active=True)
                .select_related("user")
                .order_by("role", "id")
            )
            opted_out = set(ChannelOptOut.objects.filter(channel="email").values_list("user_id", flat=True))
            expected = list({s.user.pk: s.user for s in seats if s.user}.values())
            assert [(u.pk, u.email, u.language, u.email_opted_out) for u in users] == [  # type: ignore[attr-defined]
                (u.pk, u.email, u.language, u.pk in opted_out) for u in expected
            ]
            assert has_webhooks is with_webhook
    nowhere = factories.BuildingFactory(slug="no-council")
    assert recipients.council_audience(nowhere.pk, [Role.CAPTAIN], today) == ([], False)
