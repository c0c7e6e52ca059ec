"""Closing the loop at scale: a project linked to 50 demands with 2,000 supporters writes its outbox
rows in a fixed number of queries — the same for 200 supporters as for 2,000 — one row per person."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buildings.models import User
from requests_tracker.models import Channel, ChannelOptOut, Notification, SubmitterPreference, Support
from requests_tracker.projects import actions
from requests_tracker.projects.models import ProjectDemand
from tests import factories

from .helpers import make_project

pytestmark = pytest.mark.django_db


def _crowd(cast: factories.Cast, *, demands: int, supporters: int) -> tuple[Any, list[User]]:
    project = make_project(cast)
    linked = [
        factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i}", contact_email=f"sub{i}@example.com")
        for i in range(demands)
    ]
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"fan{i}", email=f"fan{i}@example.com", password=password) for i in range(supporters)]
    )
    # Everyone supports three demands: linked through several, told once.
    Support.objects.bulk_create(
        [Support(demand=linked[(i + k) % demands], user=user) for i, user in enumerate(users) for k in range(3)]
    )
    ProjectDemand.objects.bulk_create([ProjectDemand(project=project, demand=d) for d in linked])
    return project, users


@pytest.mark.parametrize("supporters", [200, 2000])
def test_fifty_demands_and_two_thousand_supporters_take_a_fixed_number_of_queries(
    cast: factories.Cast, django_assert_num_queries: Any, supporters: int
) -> None:
    project, users = _crowd(cast, demands=50, supporters=supporters)
    ChannelOptOut.objects.bulk_create([ChannelOptOut(user=u, channel=Channel.EMAIL) for u in users[:10]])
    demand_ids = list(ProjectDemand.objects.values_list("demand_id", flat=True))
    SubmitterPreference.objects.filter(demand_id=demand_ids[0]).update(email_opted_out=True)

    # savepoint, lock, actor's label, insert the update, move the progress, reload, linked demand ids,
    # the supporters' rows (one INSERT … SELECT per language: 2), the submitters, their rows,
    # "people told", the buildings whose screens to touch, release.
    with django_assert_num_queries(14):
        update = actions.project_post_update(project=project, actor=cast.captain_a, text="外卖柜已到货", progress=70)

    rows = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE)
    expected = (supporters - 10) + (50 - 1)
    assert update.notified == rows.count() == expected
    assert rows.values("address").distinct().count() == expected  # one per person
    assert not rows.filter(address__in=[u.email for u in users[:10]]).exists()


def test_supporters_rows_are_written_by_the_database_with_the_message_sent_once(cast: factories.Cast) -> None:
    project, _users = _crowd(cast, demands=5, supporters=1500)
    with CaptureQueriesContext(connection) as queries:
        actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "requests_tracker_notification"' in q["sql"]]
    assert len(inserts) == 3  # supporters in Chinese, in English; the submitters
    assert all(len(sql) < 40_000 for sql in inserts)  # the 1,500 copies are made by the database
    rows = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE)
    assert rows.count() == 1505
    assert rows.values("body_html").distinct().count() == 1 + 5  # one for the supporters, one per submitter
