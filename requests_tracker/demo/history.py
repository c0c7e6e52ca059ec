"""A year of demo demands, replayed through the actions (`demand_submit`, `demand_transition`, backdated
with `at=`): the press reports' real cases plus a random history per building.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from buildings.models import Building, Company, Council, CouncilMember, District, User
from services.models import Department

from .. import actions
from ..models import Category, Demand
from ..selectors import ActorScope, actor_scope
from ..workflow import Outcome, Status
from . import data as demo_data

#: Transitions never land closer to "now" than this, so a fresh demo never shows events in the future.
SAFETY_MARGIN = timedelta(minutes=10)


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
