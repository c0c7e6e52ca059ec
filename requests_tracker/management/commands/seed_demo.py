"""`manage.py seed_demo`: the demo world (places, councils, departments, categories, accounts, demands).

Idempotent: reference data is upserted by its natural key (slug, code, username, ...); demands are
created only for demo buildings that have none yet, and only through `actions.demand_submit` and
`actions.demand_transition` (backdated with `at=`), so statuses, timestamps and timelines agree
exactly as they would had people clicked through the year. `--accounts` only prints the logins.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from buildings.models import Building, Company, Council, CouncilMember, District, Subdistrict, User
from requests_tracker import actions, demo_data
from requests_tracker.models import Category, Demand, DemandEvent, ResponseTemplate
from requests_tracker.selectors import ActorScope, actor_scope
from requests_tracker.workflow import Outcome, Status
from services.models import Department

SITE_URL = "http://127.0.0.1:8000/"

M = TypeVar("M", bound=models.Model)

#: Transitions never land closer to "now" than this, so a fresh demo never shows events in the future.
SAFETY_MARGIN = timedelta(minutes=10)


class Command(BaseCommand):
    help = "Seeds the demo data (idempotent); with --accounts only prints the demo logins. / 写入演示数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Only print the demo accounts and where to log in; writes nothing. / 仅显示演示账号",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo accounts, a superuser among them, have a published "
            "password: never use this on a site reachable by others.",
        )

    def handle(self, *args: Any, accounts: bool = False, force: bool = False, **options: Any) -> None:
        if accounts:
            self.stdout.write(accounts_table())
            return
        # A superuser whose password anyone can read in this repository must not appear on a real
        # deployment by accident; DEBUG off is the one signal the settings give that this may be one.
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: seed_demo would create a superuser 'admin' with the published password "
                f"'{demo_data.DEMO_PASSWORD}'. Run it on a development database, or pass --force if this "
                "really is a throwaway demo. / DEBUG 已关闭，拒绝写入带公开密码的演示账号。"
            )
        started = time.monotonic()
        result = seed_demo()
        self.stdout.write(result.summary(time.monotonic() - started))


# --- the seeding -------------------------------------------------------------------------------


@dataclass
class SeedResult:
    counts: dict[str, int]
    new_demands: int

    def summary(self, seconds: float) -> str:
        c = self.counts
        return (
            f"演示数据已就绪 Demo data ready: {c['districts']} districts 区, {c['subdistricts']} sub-districts 街镇, "
            f"{c['buildings']} buildings 楼宇, {c['companies']} companies 企业, {c['councils']} councils 楼事会, "
            f"{c['members']} members 成员, {c['departments']} departments 部门, {c['categories']} categories 类别, "
            f"{c['demands']} demands 需求 ({self.new_demands} new 新增), {c['events']} events 进展, "
            f"{c['accounts']} demo accounts 演示账号 ({seconds:.1f}s). "
            "`manage.py seed_demo --accounts` lists the logins."
        )


@transaction.atomic
def seed_demo(now: datetime | None = None) -> SeedResult:
    """Upserts the reference data and accounts; adds demands to demo buildings that have none."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    districts = _upsert(District, ("slug",), demo_data.DISTRICTS)
    subdistricts = _upsert(
        Subdistrict,
        ("slug",),
        [
            {
                "slug": row["slug"],
                "district_id": districts[(row["district"],)].pk,
                "name": row["name"],
                "name_en": row["name_en"],
                "kind": row.get("kind", Subdistrict.Kind.SUBDISTRICT),
            }
            for row in demo_data.SUBDISTRICTS
        ],
    )
    buildings = _upsert(
        Building,
        ("slug",),
        [
            {
                **_without(row, "subdistrict"),
                "subdistrict_id": subdistricts[(row["subdistrict"],)].pk,
                "is_active": True,
            }
            for row in demo_data.BUILDINGS
        ],
    )
    departments = _upsert(
        Department,
        ("code",),
        [
            {**_without(row, "district"), "district_id": districts[(row["district"],)].pk, "is_active": True}
            for row in demo_data.DEPARTMENTS
        ],
    )
    categories = _upsert(
        Category,
        ("code",),
        [
            {
                **_without(row, "default_department"),
                "default_department_id": departments[(row["default_department"],)].pk
                if row["default_department"]
                else None,
                "is_company_affair": row.get("is_company_affair", False),
                "sort_order": (i + 1) * 10,
                "is_active": True,
            }
            for i, row in enumerate(demo_data.CATEGORIES)
        ],
    )
    _upsert(
        ResponseTemplate,
        ("title",),
        [
            {"category_id": categories[(code,)].pk if code else None, "title": title, "body": body, "is_active": True}
            for code, title, body in demo_data.RESPONSE_TEMPLATES
        ],
    )
    building_ids = {slug: b.pk for (slug,), b in buildings.items()}
    companies = _upsert(
        Company,
        ("building_id", "name"),
        [
            {"building_id": building_ids[slug], "name": name, "floors": floors, "industry": industry}
            for slug, rows in demo_data.COMPANIES.items()
            for name, floors, industry in rows
        ],
    )
    councils = _upsert(
        Council,
        ("building_id",),
        [{"building_id": building_ids[slug], **row} for slug, row in demo_data.COUNCILS.items()],
    )
    users = _upsert_accounts()

    # Terms run April to March over three years around today, so the captains' seats are always
    # current (actor_scope ignores expired seats) and the dates stay put for a whole year of re-runs.
    last_april = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    term_start = date(last_april.year - 1, 4, 1)
    term_end = date(last_april.year + 2, 3, 31)
    captain_users = {a.captain_of: users[a.username] for a in demo_data.ACCOUNTS if a.captain_of}
    members = _upsert(
        CouncilMember,
        ("council_id", "role", "display_name"),
        [
            {
                "council_id": councils[(building_ids[slug],)].pk,
                "role": role,
                "display_name": name,
                "company_id": companies[(building_ids[slug], company)].pk if company else None,
                "user_id": captain_users[slug].pk if role == "captain" and slug in captain_users else None,
                "term_start": term_start,
                "term_end": term_end,
                "is_public": True,
            }
            for slug, seats in demo_data.MEMBERS.items()
            for role, name, company in seats
        ],
    )
    for account in demo_data.ACCOUNTS:
        user = users[account.username]
        if account.department:
            departments[(account.department,)].staff.add(user)
        if account.district:
            districts[(account.district,)].staff.add(user)

    first_seats: dict[tuple[int, str], CouncilMember] = {}
    for seat in sorted(members.values(), key=lambda m: m.pk):
        first_seats.setdefault((seat.council_id, seat.role), seat)
    subdistrict_district = {row["slug"]: row["district"] for row in demo_data.SUBDISTRICTS}
    world = _World(
        now=now,
        buildings={slug: b for (slug,), b in buildings.items()},
        categories={code: c for (code,), c in categories.items()},
        departments={code: d for (code,), d in departments.items()},
        companies={(b_id, name): c for (b_id, name), c in companies.items()},
        members=first_seats,
        councils_by_building={b_id: c for (b_id,), c in councils.items()},
        users=users,
        district_of={
            row["slug"]: districts[(subdistrict_district[row["subdistrict"]],)] for row in demo_data.BUILDINGS
        },
    )
    new_demands = _seed_demands(world)
    _seed_guide(now)  # #13: the guide, the hall's services, answered questions, the search index

    demo_building_ids = list(building_ids.values())
    return SeedResult(
        counts={
            "districts": len(districts),
            "subdistricts": len(subdistricts),
            "buildings": len(buildings),
            "companies": len(companies),
            "councils": len(councils),
            "members": len(members),
            "departments": len(departments),
            "categories": len(categories),
            "accounts": len(users),
            "demands": Demand.objects.filter(building_id__in=demo_building_ids).count(),
            "events": DemandEvent.objects.filter(demand__building_id__in=demo_building_ids).count(),
        },
        new_demands=new_demands,
    )


def _seed_guide(now: datetime) -> None:
    from requests_tracker.ask import demo as ask_demo
    from requests_tracker.hall import demo as hall_demo
    from requests_tracker.search import demo as search_demo
    from services.guide import demo as guide_demo

    guide_demo.seed()
    hall_demo.seed()
    ask_demo.seed(now=now - SAFETY_MARGIN)
    search_demo.seed()


def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def _upsert(model: type[M], key: tuple[str, ...], rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], M]:
    """Creates missing rows and updates changed ones in bulk: at most four queries, one on an unchanged re-run.

    Rows name foreign keys by attname (`district_id`), so comparing never loads a related object.
    """

    def existing() -> dict[tuple[Any, ...], M]:
        firsts = {row[key[0]] for row in rows}
        found = model._default_manager.filter(**{f"{key[0]}__in": firsts})
        return {tuple(getattr(obj, k) for k in key): obj for obj in found}

    by_key = existing()
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    for row in rows:
        obj = by_key.get(tuple(row[k] for k in key))
        if obj is None:
            to_create.append(model(**row))
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, row[name])
        if changed:
            to_update.append(obj)
            changed_fields.update(changed)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(changed_fields))
    if to_create:
        model._default_manager.bulk_create(to_create)
        by_key = existing()  # not every backend returns the new primary keys from a bulk insert
    wanted = {tuple(row[k] for k in key) for row in rows}
    return {k: obj for k, obj in by_key.items() if k in wanted}


def _upsert_accounts() -> dict[str, User]:
    """The demo logins, their password reset to the demo one, each hashed at most once per run."""
    existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in demo_data.ACCOUNTS])}
    # Hashing costs ~0.5 s by design; verify each distinct stored hash once and share one fresh hash,
    # so re-runs stay fast and a demo account keeps its session when its password is already right.
    verified: dict[str, bool] = {}
    fresh_hash = ""
    to_create: list[User] = []
    to_update: list[User] = []
    for account in demo_data.ACCOUNTS:
        user = existing.get(account.username) or User(username=account.username)
        if user.password not in verified:
            verified[user.password] = bool(user.password) and check_password(demo_data.DEMO_PASSWORD, user.password)
        if not verified[user.password]:
            fresh_hash = fresh_hash or make_password(demo_data.DEMO_PASSWORD)
            user.password = fresh_hash
        user.display_name = account.display_name
        user.email = f"{account.username}@example.com"
        user.is_active = True
        user.is_staff = True
        user.is_superuser = account.is_superuser
        (to_update if user.pk else to_create).append(user)
    if to_update:
        User.objects.bulk_update(
            to_update, ["password", "display_name", "email", "is_active", "is_staff", "is_superuser"]
        )
    if to_create:
        User.objects.bulk_create(to_create)
    return {u.username: u for u in User.objects.filter(username__in=[a.username for a in demo_data.ACCOUNTS])}


# --- demands -------------------------------------------------------------------------------------


@dataclass
class _World:
    now: datetime
    buildings: dict[str, Building]
    categories: dict[str, Category]
    departments: dict[str, Department]
    companies: dict[tuple[int, str], Company]
    #: (council id, role) → the first seat with that role
    members: dict[tuple[int, str], CouncilMember]
    councils_by_building: dict[int, Council]
    users: dict[str, User]
    #: building slug → its district
    district_of: dict[str, District]
    scopes: dict[int, ActorScope] = field(default_factory=dict)

    @property
    def limit(self) -> datetime:
        return self.now - SAFETY_MARGIN

    def member(self, building: Building, role: str) -> CouncilMember | None:
        return self.members.get((self.councils_by_building[building.pk].pk, role))

    def scope(self, user: User) -> ActorScope:
        if user.pk not in self.scopes:
            self.scopes[user.pk] = actor_scope(user)
        return self.scopes[user.pk]


@dataclass
class _PlannedStep:
    action: str
    at: datetime
    assignee: actions.Assignee | None = None
    outcome: str = ""
    note: str = ""


@dataclass
class _PlannedDemand:
    building: Building
    category: Category
    title: str
    description: str
    submitted_at: datetime
    floor: int | None = None
    company_name: str = ""
    channel: str = Demand.Channel.MINI_PROGRAM
    is_public: bool = True
    contact: tuple[str, str, str] = ("", "", "")
    steps: list[_PlannedStep] = field(default_factory=list)


def _seed_demands(world: _World) -> int:
    """Plans every demo building without demands, then replays the plans oldest first through the actions."""
    seeded = set(
        Demand.objects.filter(building__in=world.buildings.values()).values_list("building_id", flat=True).distinct()
    )
    plans: list[_PlannedDemand] = []
    for slug, building in world.buildings.items():
        if building.pk in seeded:
            continue
        plans.extend(_plan_cases(world, slug))
        plans.extend(_plan_random(world, slug))
    # Oldest first, so demand numbers grow with time as they would have in real use.
    plans.sort(key=lambda p: (p.submitted_at, p.title))
    for plan in plans:
        _replay(world, plan)
    return len(plans)


def _replay(world: _World, plan: _PlannedDemand) -> None:
    contact_name, contact_phone, contact_email = plan.contact
    demand = actions.demand_submit(
        building=plan.building,
        category=plan.category,
        title=plan.title,
        description=plan.description,
        floor=plan.floor,
        company_name=plan.company_name,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        is_public=plan.is_public,
        channel=plan.channel,
        at=plan.submitted_at,
    )
    # The captain acts for the buildings that have a demo captain, the superuser for the rest; the
    # fire department's own staff work the cases routed to it, as the workflow expects.
    triager = world.users.get(_captain_username(plan.building.slug)) or world.users["admin"]
    fire_staff = world.users["dept-fire"]
    for step in plan.steps:
        actor = triager
        if step.action in ("start", "resolve") and demand.assignee_department_id == world.departments["fire"].pk:
            actor = fire_staff
        demand = actions.demand_transition(
            demand=demand,
            action=step.action,
            actor=actor,
            scope=world.scope(actor),
            assignee=step.assignee,
            outcome=step.outcome,
            note=step.note,
            at=step.at,
        )


def _captain_username(slug: str) -> str:
    return next((a.username for a in demo_data.ACCOUNTS if a.captain_of == slug), "")


def _office_hours(moment: datetime) -> datetime:
    """Moves a night-time moment to the next morning: councils do not triage at 3 a.m."""
    local = timezone.localtime(moment)
    if local.hour < 8:
        return local.replace(hour=9)
    if local.hour >= 21:
        return (local + timedelta(days=1)).replace(hour=9)
    return local


def _assignee(world: _World, building: Building, spec: str) -> actions.Assignee:
    kind, _, value = spec.partition(":")
    if kind == "dept":
        return actions.Assignee(department=world.departments[value])
    member = world.member(building, value)
    if member is None:
        raise CommandError(f"demo data: {building.slug} has no council seat {value!r}")
    return actions.Assignee(member=member)


def _assign_note(assignee: actions.Assignee) -> str:
    if assignee.department is not None:
        return f"已转{assignee.department.name}办理。"
    assert assignee.member is not None
    return f"楼事会已受理，由{demo_data.ROLE_ZH[assignee.member.role]}跟进。"


def _plan_cases(world: _World, slug: str) -> list[_PlannedDemand]:
    building = world.buildings[slug]
    plans = []
    for case in demo_data.CASES:
        if case.building != slug:
            continue
        if case.season is not None:
            month, day = case.season
            today = timezone.localdate(world.now)
            on = date(today.year, month, day)
            if on >= today:
                on = date(today.year - 1, month, day)
            submitted = timezone.make_aware(datetime(on.year, on.month, on.day, 10, 12))
        else:
            submitted = _office_hours(world.now - timedelta(days=case.days_ago)).replace(microsecond=0)
            if submitted >= world.limit:
                submitted = world.limit - timedelta(hours=1)
        plan = _PlannedDemand(
            building=building,
            category=world.categories[case.category],
            title=case.title,
            description=case.description,
            submitted_at=submitted,
            floor=case.floor,
            company_name=case.company,
            channel=case.channel,
            is_public=case.is_public,
            contact=case.contact,
        )
        previous = submitted
        for step in case.steps:
            at = _office_hours(submitted + timedelta(days=step.after_days))
            if at <= previous:
                at = previous + timedelta(minutes=20)
            if at >= world.limit:
                break  # the story has not got this far yet: the demand stays open
            assignee = _assignee(world, building, step.assignee) if step.assignee else None
            note = step.note or (_assign_note(assignee) if assignee else "")
            plan.steps.append(_PlannedStep(step.action, at, assignee, step.outcome, note))
            previous = at
        plans.append(plan)
    return plans


#: Status a template demand ends in, by how many days ago it was submitted.
_STATUS_WEIGHTS: list[tuple[float, dict[str, int]]] = [
    (3, {Status.SUBMITTED: 50, Status.ASSIGNED: 30, Status.IN_PROGRESS: 20}),
    (14, {Status.SUBMITTED: 10, Status.ASSIGNED: 30, Status.IN_PROGRESS: 40, Status.RESOLVED: 20}),
    (60, {Status.ASSIGNED: 8, Status.IN_PROGRESS: 25, Status.RESOLVED: 67}),
    # A few old ones stay open: the district's figures always show a tail still in progress.
    (366, {Status.IN_PROGRESS: 6, Status.RESOLVED: 94}),
]
_OUTCOME_WEIGHTS: dict[str, int] = {
    Outcome.SOLVED: 78,
    Outcome.PROPOSAL: 12,
    Outcome.DUPLICATE: 5,
    Outcome.NOT_APPLICABLE: 5,
}
_CHANNEL_WEIGHTS: dict[str, int] = {
    Demand.Channel.MINI_PROGRAM: 45,
    Demand.Channel.WEB: 30,
    Demand.Channel.STATION: 12,
    Demand.Channel.PHONE: 8,
    Demand.Channel.API: 5,
}
_LANDLORD_INDUSTRIES = {"楼宇业主", "物业管理"}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _first_floor(floors: str) -> int | None:
    match = re.match(r"\s*(B?)(\d+)", floors)
    if match is None:
        return None
    return -int(match.group(2)) if match.group(1) else int(match.group(2))


def _plan_random(world: _World, slug: str) -> list[_PlannedDemand]:
    """Template demands for one building, from its own seeded generator (same result on every run)."""
    rng = random.Random(f"{demo_data.RANDOM_SEED}:{slug}")
    building = world.buildings[slug]
    local_department = world.departments.get(demo_data.LOCAL_DEPARTMENT.get(world.district_of[slug].slug, ""))
    # In table order, not database order: collations sort Chinese names differently, and the same
    # seed must give the same demands on SQLite and PostgreSQL.
    tenants = [
        world.companies[(building.pk, name)]
        for name, _floors, industry in demo_data.COMPANIES.get(slug, [])
        if industry not in _LANDLORD_INDUSTRIES
    ]
    templates = rng.sample(demo_data.TEMPLATES, len(demo_data.TEMPLATES))
    plans = []
    for i in range(demo_data.RANDOM_DEMANDS.get(slug, 0)):
        template = templates[i % len(templates)]
        category = world.categories[template.category]

        age = max(0.05, 364 * rng.random() ** 1.6)
        submitted = _office_hours(world.now - timedelta(days=age))
        if submitted >= world.limit:
            submitted = world.limit - timedelta(hours=rng.uniform(1, 6))
        age = (world.now - submitted).total_seconds() / 86400
        status = _pick(rng, next(w for max_age, w in _STATUS_WEIGHTS if age < max_age))

        company = rng.choice(tenants) if tenants and (category.is_company_affair or rng.random() < 0.35) else None
        floor = _first_floor(company.floors) if company else None
        if company is None and rng.random() < 0.65:
            floor = rng.randint(1, building.floors)
        with_contact = rng.random() < (0.8 if category.is_company_affair else 0.4)
        contact = ("", "", "")
        if with_contact:
            contact = (
                f"{rng.choice(demo_data.SURNAMES)}{rng.choice(['女士', '先生'])}",
                f"1380000{rng.randrange(10000):04d}",
                f"{rng.choice(demo_data.EMAIL_NAMES)}{rng.randrange(100)}@example.com" if rng.random() < 0.5 else "",
            )
        plan = _PlannedDemand(
            building=building,
            category=category,
            title=template.title,
            description=template.description,
            submitted_at=submitted,
            floor=floor,
            company_name=company.name if company else "",
            channel=_pick(rng, _CHANNEL_WEIGHTS),
            is_public=rng.random() < (0.3 if category.is_company_affair else 0.88),
            contact=contact,
        )
        plan.steps = _random_steps(world, rng, building, category, template, status, submitted, local_department)
        plans.append(plan)
    return plans


def _random_steps(
    world: _World,
    rng: random.Random,
    building: Building,
    category: Category,
    template: demo_data.Template,
    status: str,
    submitted: datetime,
    local_department: Department | None,
) -> list[_PlannedStep]:
    if status == Status.SUBMITTED:
        return []
    assignee = _random_assignee(world, rng, building, category, local_department)
    outcome = _pick(rng, _OUTCOME_WEIGHTS) if status == Status.RESOLVED else ""
    notes: dict[str, str] = {
        Outcome.SOLVED: template.solved,
        Outcome.PROPOSAL: template.proposal,
        Outcome.DUPLICATE: demo_data.DUPLICATE_NOTE,
        Outcome.NOT_APPLICABLE: demo_data.NOT_APPLICABLE_NOTE,
    }
    note = notes.get(outcome, "")

    actions_and_gaps: list[tuple[str, float]] = [("assign", rng.uniform(0.3, 30))]  # gap in hours
    # Duplicates and cases outside the remit are closed straight after assignment, without work.
    if status in (Status.IN_PROGRESS, Status.RESOLVED) and outcome not in (
        Outcome.DUPLICATE,
        Outcome.NOT_APPLICABLE,
    ):
        actions_and_gaps.append(("start", rng.uniform(2, 72)))
    if status == Status.RESOLVED:
        actions_and_gaps.append(("resolve", 24 * rng.uniform(0.5, 1.6 * category.target_days)))
    reopen = status == Status.RESOLVED and outcome == Outcome.SOLVED and rng.random() < 0.05
    if reopen:
        actions_and_gaps.append(("reopen", 24 * rng.uniform(1, 10)))
        if rng.random() < 0.5:
            actions_and_gaps.append(("resolve", 24 * rng.uniform(1, 7)))

    # Squeeze the whole story into the time that has passed, leaving it room to breathe.
    available = (world.limit - submitted).total_seconds() / 3600
    total = sum(gap for _action, gap in actions_and_gaps)
    scale = min(1.0, available * rng.uniform(0.5, 0.9) / total)

    steps: list[_PlannedStep] = []
    previous = submitted
    for action, gap in actions_and_gaps:
        at = previous + timedelta(hours=gap * scale)
        moved = _office_hours(at)
        at = moved if moved < world.limit else at
        if at >= world.limit or at <= previous:
            at = previous + (world.limit - previous) * rng.uniform(0.2, 0.5)
        step = _PlannedStep(action, at)
        if action == "assign":
            step.assignee = assignee
            step.note = _assign_note(assignee) if rng.random() < 0.7 else ""
        elif action == "start":
            step.note = rng.choice(demo_data.START_NOTES)
        elif action == "resolve":
            step.outcome = outcome
            step.note = note
        elif action == "reopen":
            step.note = demo_data.REOPEN_NOTE
        steps.append(step)
        previous = at
    return steps


def _random_assignee(
    world: _World,
    rng: random.Random,
    building: Building,
    category: Category,
    local_department: Department | None,
) -> actions.Assignee:
    department = category.default_department
    if department is not None and department.district_id != world.district_of[building.slug].pk:
        department = None  # a Pudong bureau does not take a Putuo or Jinshan building's case
    if department is None and local_department is not None and (category.is_company_affair or rng.random() < 0.3):
        department = local_department
    member_share = 0.75 if category.is_company_affair else 0.5
    if department is not None and rng.random() >= member_share:
        return actions.Assignee(department=department)
    role = demo_data.MEMBER_FOR_CATEGORY[category.code]
    member = (
        world.member(building, role)
        or (world.member(building, "economic_captain") if category.is_company_affair else None)
        or world.member(building, "captain")
    )
    assert member is not None, f"{building.slug} needs a captain seat"
    return actions.Assignee(member=member)


# --- the accounts table ----------------------------------------------------------------------------


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal; without this the table's columns drift.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> Iterable[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        yield "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        if n == 0:
            yield "  ".join("-" * w for w in widths)


def accounts_table() -> str:
    """The demo logins as `make run` shows them; reads nothing from the database."""
    rows = [["账号 Username", "角色 Role", "密码 Password", "可以做什么 What they can do"]]
    for account in demo_data.ACCOUNTS:
        rows.append(
            [
                account.username,
                f"{account.role_zh} / {account.role_en}",
                demo_data.DEMO_PASSWORD,
                f"{account.can_zh} / {account.can_en}",
            ]
        )
    lines = [
        "演示账号 Demo accounts (created by `manage.py seed_demo`):",
        "",
        *_table(rows),
        "",
        f"网站 Site:    {SITE_URL}",
        f"后台 Admin:   {SITE_URL}admin/",
    ]
    return "\n".join(lines)
