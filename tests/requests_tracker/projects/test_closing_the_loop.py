"""Closing the loop at scale: a project linked to 50 demands with 2,000 supporters.

The captain's request promises the news (one row, whatever the crowd); a worker writes the outbox rows
in a fixed number of queries — the same for 200 supporters as for 2,000 — one row per person, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buildings.models import User
from requests_tracker.models import Channel, ChannelOptOut, NewsFanout, Notification, SubmitterPreference, Support
from requests_tracker.notifications import fanout
from requests_tracker.projects import actions, news
from requests_tracker.projects.models import Project, ProjectDemand
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

    # The request: savepoint, lock, actor's label, insert the update, move the progress, reload,
    # the promise (one INSERT … ON CONFLICT DO NOTHING), the buildings whose screens to touch, release.
    with django_assert_num_queries(9):
        update = actions.project_post_update(project=project, actor=cast.captain_a, text="外卖柜已到货", progress=70)
    assert not Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).exists()

    # The worker: savepoint, lock the promise, the update and its project, the linked demand ids, the
    # supporters' rows (one INSERT … SELECT per language: 2), the submitters, their rows, "done",
    # "people told", release.
    with django_assert_num_queries(11):
        assert fanout.run(news.KIND, str(update.pk)) == (supporters - 10) + (50 - 1)
    update.refresh_from_db()

    rows = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE)
    expected = (supporters - 10) + (50 - 1)
    assert update.notified == rows.count() == expected
    assert rows.values("address").distinct().count() == expected  # one per person
    assert not rows.filter(address__in=[u.email for u in users[:10]]).exists()


def test_supporters_rows_are_written_by_the_database_with_the_message_sent_once(cast: factories.Cast) -> None:
    project, _users = _crowd(cast, demands=5, supporters=1500)
    update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    with CaptureQueriesContext(connection) as queries:
        fanout.run(news.KIND, str(update.pk))
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "requests_tracker_notification"' in q["sql"]]
    assert len(inserts) == 3  # supporters in Chinese, in English; the submitters
    assert all(len(sql) < 40_000 for sql in inserts)  # the 1,500 copies are made by the database
    rows = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE)
    assert rows.count() == 1505
    assert rows.values("body_html").distinct().count() == 1 + 5  # one for the supporters, one per submitter


def test_the_news_is_told_once_however_often_the_worker_runs(cast: factories.Cast) -> None:
    project, _users = _crowd(cast, demands=3, supporters=20)
    update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    # Promising it again (a retried request, a second listener) is a no-op: one promise per update.
    news.announce(project, update)
    assert NewsFanout.objects.filter(kind=news.KIND, ref=str(update.pk)).count() == 1

    told = fanout.run(news.KIND, str(update.pk))
    assert told == 20 + 3
    assert fanout.run(news.KIND, str(update.pk)) == 0  # a replayed task finds it done
    assert fanout.sweep(grace_seconds=0) == 0
    assert Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).count() == told


def test_the_sweeper_runs_a_promise_whose_task_was_lost(cast: factories.Cast) -> None:
    """The broker was down when the request published: the row waits, and the next sweep tells them."""
    project, _users = _crowd(cast, demands=3, supporters=5)
    update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    promise = NewsFanout.objects.get(ref=str(update.pk))

    assert fanout.sweep(now=promise.created_at) == 0  # within the grace period its own task may still come
    assert fanout.sweep(now=promise.created_at + timedelta(minutes=5)) == 1
    promise.refresh_from_db()
    assert promise.done_at is not None and promise.told == 5 + 3
    update.refresh_from_db()
    assert update.notified == 8


def test_the_worker_tells_what_the_update_said_even_when_it_runs_late(cast: factories.Cast) -> None:
    project, _users = _crowd(cast, demands=3, supporters=1)
    update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展", progress=40)
    actions.project_post_update(project=project, actor=cast.captain_a, text="更多进展", progress=90)

    fanout.run(news.KIND, str(update.pk))

    row = Notification.objects.get(dedupe_key__startswith=f"project-update:{update.pk}:user:")
    assert "40%" in row.body_text and "90%" not in row.body_text


def test_nothing_is_told_when_the_project_went_private_before_the_worker_ran(cast: factories.Cast) -> None:
    project, _users = _crowd(cast, demands=3, supporters=3)
    update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    Project.objects.filter(pk=project.pk).update(is_public=False)

    assert fanout.run(news.KIND, str(update.pk)) == 0
    assert not Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).exists()
    assert NewsFanout.objects.get(ref=str(update.pk)).done_at is not None


def test_after_commit_the_request_hands_the_news_to_the_fan_out_task(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The promise's task is the registered Celery task; run eagerly (as `make run` does), it tells everyone."""
    from lousihui.celery import app

    assert fanout.FAN_OUT_TASK in app.tasks
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    project, _users = _crowd(cast, demands=3, supporters=4)
    with django_capture_on_commit_callbacks(execute=True):
        update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展")
    update.refresh_from_db()
    assert update.notified == 4 + 3
    assert NewsFanout.objects.get(ref=str(update.pk)).done_at is not None
