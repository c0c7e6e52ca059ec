"""The demo elections: certified at 上海湾区科创中心 with 郑丽 elected, voting open at 陆家嘴软件园."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from buildings.elections import demo
from buildings.elections.models import Ballot, Election, Elector
from buildings.models import Company, CouncilMember
from requests_tracker.management.commands.seed_demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[datetime]:
    now = timezone.now()
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(now=now)
        yield now
        transaction.set_rollback(True)


def test_zheng_li_was_elected_at_the_bay_area_centre_and_sits_on_its_roster(seeded: datetime) -> None:
    election = Election.objects.get(key=demo.BAY_KEY)
    board = Client().get(reverse("board", args=[demo.BAY_AREA])).content.decode()
    roster = board[board.index('class="roster"') :]

    assert election.status == "certified"
    assert 45 <= Company.objects.filter(building=election.building).count() <= 55
    assert 330 <= Elector.objects.filter(election=election).count() <= 470
    zheng = CouncilMember.objects.get(display_name="郑丽")
    assert zheng.company is not None and zheng.company.name == "上海湾企企业管理咨询服务有限公司"
    assert zheng.role == "employee_representative"
    assert "郑丽" in roster[: roster.index("</details>")]
    assert "邵晨" not in roster[: roster.index("</details>")]  # the seat that was up
    page = Client().get(reverse("election", args=[election.key])).content.decode()
    assert "当选" in page and "郑丽" in page


def test_the_software_park_election_is_open_and_its_count_sealed(seeded: datetime) -> None:
    election = Election.objects.get(key=demo.PARK_KEY)
    client = Client()

    assert election.status == "voting"
    assert election.opens_at < timezone.now() < election.closes_at
    detail = client.get(reverse("api-election", args=[election.key])).json()
    assert 0 < detail["turnout"]["voted"] < detail["turnout"]["electors"]
    assert client.get(reverse("api-election-results", args=[election.key])).status_code == 403
    assert election.code_batches.filter(downloaded_at__isnull=True).count() == 3  # slips to hand out


def test_reseeding_changes_nothing_and_keeps_the_ended_term_ended(seeded: datetime) -> None:
    before = (Election.objects.count(), Ballot.objects.count(), Elector.objects.count(), CouncilMember.objects.count())

    seed_demo(now=seeded)

    assert (
        Election.objects.count(),
        Ballot.objects.count(),
        Elector.objects.count(),
        CouncilMember.objects.count(),
    ) == before
    board = Client().get(reverse("board", args=[demo.BAY_AREA])).content.decode()
    roster = board[board.index('class="roster"') :]
    assert "邵晨" not in roster[: roster.index("</details>")]
