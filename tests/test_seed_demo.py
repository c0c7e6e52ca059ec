"""`manage.py seed_demo`: the demo world a new developer or a visitor first sees.

Seeding takes a few seconds, so the module seeds once inside an outer transaction that is rolled
back at the end; each test runs in its own savepoint on top of it and cannot leak into the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker, Settings

from buildings.models import Building, Company, Council, CouncilMember, District, Subdistrict, User
from requests_tracker.demo.data import DEMO_PASSWORD
from requests_tracker.demo.seed import seed_demo
from requests_tracker.models import Category, Demand, DemandEvent, ResponseTemplate
from requests_tracker.selectors import actor_scope
from requests_tracker.validators import normalize_mainland_mobile
from requests_tracker.workflow import Outcome, Status
from services.models import Department

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = ["admin", "captain-shanghai-tower", "captain-jin-mao", "dept-fire", "district-pudong"]


@pytest.fixture(scope="module")
def seeded_at(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[datetime]:
    """Seeds once for the module; returns the `now` the demands were laid out from."""
    now = timezone.now()
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(now=now)
        yield now
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "subdistricts": Subdistrict.objects.count(),
        "buildings": Building.objects.count(),
        "companies": Company.objects.count(),
        "councils": Council.objects.count(),
        "members": CouncilMember.objects.count(),
        "linked seats": CouncilMember.objects.filter(user__isnull=False).count(),
        "departments": Department.objects.count(),
        "department staff": Department.staff.through.objects.count(),
        "district staff": District.staff.through.objects.count(),
        "categories": Category.objects.count(),
        "response templates": ResponseTemplate.objects.count(),
        "users": User.objects.count(),
        "demands": Demand.objects.count(),
        "events": DemandEvent.objects.count(),
    }


def test_seeding_twice_leaves_the_same_data(seeded_at: datetime) -> None:
    before = _counts()
    out = StringIO()

    call_command("seed_demo", force=True, stdout=out)

    assert _counts() == before
    assert "(0 new 新增)" in out.getvalue()


def test_captains_have_ready_made_replies(seeded_at: datetime) -> None:
    shared = ResponseTemplate.objects.filter(category=None, is_active=True)
    assert shared.count() >= 2
    assert ResponseTemplate.objects.filter(category__code="delivery").exists()


def test_rerunning_resets_a_changed_demo_password(seeded_at: datetime) -> None:
    captain = User.objects.get(username="captain-shanghai-tower")
    captain.set_password("something-else")
    captain.save()

    seed_demo()

    assert User.objects.get(username="captain-shanghai-tower").check_password(DEMO_PASSWORD)


def test_reseeding_a_wiped_building_reproduces_its_demands(seeded_at: datetime) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        demands = Demand.objects.filter(building__slug="shanghai-bay-area-innovation-center").order_by("submitted_at")
        return [
            (
                d.title,
                d.status,
                d.outcome,
                d.submitted_at,
                d.is_public,
                d.contact_phone,
                [(e.kind, e.created_at, e.note) for e in d.events.order_by("created_at", "id")],
            )
            for d in demands.prefetch_related("events")
        ]

    original = snapshot()
    Demand.objects.filter(building__slug="shanghai-bay-area-innovation-center").delete()

    seed_demo(now=seeded_at)

    assert original
    assert snapshot() == original


def test_there_are_150_plus_demands_spread_over_the_past_year(seeded_at: datetime) -> None:
    submitted = list(Demand.objects.values_list("submitted_at", flat=True))

    assert len(submitted) >= 150
    assert min(submitted) > seeded_at - timedelta(days=366)
    assert max(submitted) < seeded_at
    assert max(submitted) - min(submitted) > timedelta(days=300)
    assert Demand.objects.values("building").distinct().count() == Building.objects.count()


def test_every_status_and_every_outcome_occurs(seeded_at: datetime) -> None:
    assert set(Demand.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Demand.objects.filter(status=Status.RESOLVED).values_list("outcome", flat=True)) == set(Outcome.values)


def test_resolved_demands_have_an_outcome_and_a_public_note_and_open_ones_have_neither(seeded_at: datetime) -> None:
    resolved = Demand.objects.filter(status=Status.RESOLVED)
    open_demands = Demand.objects.exclude(status=Status.RESOLVED)

    assert resolved.exists()
    assert not resolved.filter(outcome="").exists()
    assert not resolved.filter(resolution_note="").exists()
    assert not resolved.filter(resolved_at__isnull=True).exists()
    assert not open_demands.exclude(outcome="").exists()
    assert not open_demands.filter(resolved_at__isnull=False).exists()


def test_every_timeline_starts_with_submission_and_runs_in_order_up_to_now(seeded_at: datetime) -> None:
    for demand in Demand.objects.prefetch_related("events"):
        events = sorted(demand.events.all(), key=lambda e: (e.created_at, e.id))
        times = [e.created_at for e in events]
        # Notes and demand_log's records (taken up by a project, ...) change no status.
        moves = [e for e in events if e.kind != DemandEvent.Kind.NOTE and (e.to_status or e.from_status)]

        assert events[0].kind == DemandEvent.Kind.SUBMITTED, demand
        assert events[0].created_at == demand.submitted_at, demand
        assert times == sorted(times), demand
        assert len(set(times)) == len(times), demand  # each step at its own moment
        assert times[-1] == demand.updated_at <= seeded_at, demand
        # The status is where the transitions led, and each one bumped the version (compare-and-set).
        assert moves[-1].to_status == demand.status, demand
        assert demand.version == len(moves), demand


def test_the_named_places_exist_with_their_slugs(seeded_at: datetime) -> None:
    tower = Building.objects.select_related("subdistrict__district", "council").get(slug="shanghai-tower")
    names = set(Building.objects.values_list("name", flat=True))

    assert (tower.name, tower.name_en, tower.floors, tower.is_key_building) == (
        "上海中心大厦",
        "Shanghai Tower",
        127,
        True,
    )
    assert tower.population == 8000
    assert tower.council.service_station == "22F"
    assert (tower.subdistrict.name, tower.subdistrict.district.name) == ("陆家嘴街道", "浦东新区")
    assert Building.objects.filter(slug__in=["china-life-finance-center", "jin-mao-tower"]).count() == 2
    assert {
        "金茂大厦",
        "中国人寿金融中心",
        "上海环球金融中心",
        "国金中心",
        "陆家嘴软件园",
        "上海银行大厦",
        "蓝宝石大厦",
        "中国金融信息中心",
        "平高国际大厦",
        "上海湾区科创中心",
    } <= names
    assert set(Subdistrict.objects.filter(district__slug="pudong").values_list("name", flat=True)) >= {
        "陆家嘴街道",
        "潍坊新村街道",
        "塘桥街道",
        "洋泾街道",
        "花木街道",
    }
    assert Subdistrict.objects.get(name="山阳镇").kind == Subdistrict.Kind.TOWN
    assert not Building.objects.filter(address="").exists()


def test_each_district_names_its_council_its_own_way(seeded_at: datetime) -> None:
    kinds = dict(Council.objects.values_list("building__subdistrict__district__slug", "kind").distinct())

    assert kinds == {
        "pudong": Council.Kind.COUNCIL,
        "putuo": Council.Kind.CAPTAIN_SYSTEM,
        "jinshan": Council.Kind.COMMITTEE,
    }


@pytest.mark.parametrize("slug", ["shanghai-tower", "jin-mao-tower"])
def test_the_big_councils_fill_every_seat_with_a_current_term(seeded_at: datetime, slug: str) -> None:
    members = CouncilMember.objects.filter(council__building__slug=slug)
    today = timezone.localdate()

    assert set(members.values_list("role", flat=True)) == set(CouncilMember.Role.values)
    assert not members.filter(term_start__gt=today).exists()
    assert not members.filter(term_end__lt=today).exists()


def test_departments_and_categories_are_ready_for_routing(seeded_at: datetime) -> None:
    codes = set(Department.objects.values_list("code", flat=True))
    company_affairs = set(Category.objects.filter(is_company_affair=True).values_list("code", flat=True))

    assert {"police", "fire", "market-regulation", "investment-promotion", "human-resources", "health"} <= codes
    assert Department.objects.get(code="fire").name == "浦东新区消防救援支队"
    assert company_affairs == {"company-space", "company-subsidy", "company-talent"}
    assert not Category.objects.filter(icon="").exists()
    assert not Category.objects.filter(name_en="").exists()
    assert Category.objects.get(code="safety").default_department.code == "fire"  # type: ignore[union-attr]
    assert Company.objects.filter(building__slug="shanghai-tower", name__contains="摩根大通").exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", "superuser"),
        ("captain-shanghai-tower", "shanghai-tower"),
        ("captain-jin-mao", "jin-mao-tower"),
        ("dept-fire", "fire"),
        ("district-pudong", "pudong"),
    ],
)
def test_each_demo_account_logs_in_and_reaches_only_its_scope(
    seeded_at: datetime, client: Client, username: str, expected: str
) -> None:
    user = User.objects.get(username=username)
    scope = actor_scope(user)

    assert client.login(username=username, password=DEMO_PASSWORD)
    assert user.is_staff
    assert scope.is_superuser == (expected == "superuser")
    if username.startswith("captain-"):
        assert scope.triage_building_ids == {Building.objects.get(slug=expected).pk}
        assert CouncilMember.objects.get(user=user).role == CouncilMember.Role.CAPTAIN
    else:
        assert not scope.triage_building_ids
    assert scope.department_ids == (
        {Department.objects.get(code=expected).pk} if username == "dept-fire" else frozenset()
    )
    assert scope.district_ids == (
        {District.objects.get(slug=expected).pk} if username == "district-pudong" else frozenset()
    )


def test_the_fire_department_works_its_own_cases(seeded_at: datetime) -> None:
    """The fire staff's own account starts and resolves what is routed to the brigade, not the captain."""
    fire_events = DemandEvent.objects.filter(
        demand__assignee_department__code="fire", kind__in=[DemandEvent.Kind.STARTED, DemandEvent.Kind.RESOLVED]
    )

    assert fire_events.exists()
    assert set(fire_events.values_list("actor__username", flat=True)) == {"dept-fire"}


def test_the_cases_from_the_press_reports_are_there(seeded_at: datetime) -> None:
    lockers = Demand.objects.get(building__slug="shanghai-tower", title__contains="外卖快递无法上楼")
    policy_blocked = Demand.objects.filter(outcome=Outcome.PROPOSAL, title__contains="托育园").get()
    subsidy = Demand.objects.get(title__contains="扶持资金")
    notes = " ".join(Demand.objects.values_list("resolution_note", flat=True))

    assert (lockers.status, lockers.outcome) == (Status.RESOLVED, Outcome.SOLVED)
    assert "1楼2号门" in lockers.resolution_note
    assert "300单" in lockers.resolution_note
    assert lockers.company is not None and "摩根大通" in lockers.company.name
    assert "政策" in policy_blocked.resolution_note
    assert subsidy.assignee_member is not None
    assert subsidy.assignee_member.role == CouncilMember.Role.ECONOMIC_CAPTAIN
    assert not subsidy.is_public
    for fact in ["健康航站楼", "150个车位", "电梯", "托管班", "36台电子书柜", "25–28元"]:
        assert fact in notes, fact


def test_some_demands_are_private_and_contacts_are_fake_but_valid(seeded_at: datetime) -> None:
    phones = list(Demand.objects.exclude(contact_phone="").values_list("contact_phone", flat=True))
    emails = list(Demand.objects.exclude(contact_email="").values_list("contact_email", flat=True))

    assert Demand.objects.filter(is_public=False).exists()
    assert Demand.objects.filter(is_public=True).count() > Demand.objects.filter(is_public=False).count()
    assert phones
    assert emails
    assert all(normalize_mainland_mobile(p) == p and p.startswith("1380000") for p in phones)
    assert all(e.endswith("@example.com") for e in emails)


def test_accounts_option_only_prints_the_logins(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    out = StringIO()

    with django_assert_num_queries(0):
        call_command("seed_demo", accounts=True, stdout=out)

    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert username in text
    assert DEMO_PASSWORD in text
    assert "http://127.0.0.1:8000/" in text
    assert "http://127.0.0.1:8000/admin/" in text


def test_refuses_to_create_published_passwords_with_debug_off_unless_forced(settings: Settings) -> None:
    settings.DEBUG = False
    before = _counts()

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert _counts() == before

    call_command("seed_demo", force=True, stdout=StringIO())
    assert User.objects.get(username="admin").is_superuser
