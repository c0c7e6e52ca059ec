"""The demo world (places, councils, departments, categories, accounts, demands): `seed_demo()`.

Idempotent: reference data is upserted by its natural key (slug, code, username, ...); demands are
created only for demo buildings that have none yet, through the actions (history.py), so statuses,
timestamps and timelines agree exactly as they would had people clicked through the year.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils import timezone

from buildings.elections import demo as elections_demo
from buildings.models import Building, Company, Council, CouncilMember, District, Subdistrict, User
from services.guide import demo as guide_demo
from services.models import Department

from ..ask import demo as ask_demo
from ..hall import demo as hall_demo
from ..models import Category, Demand, DemandEvent, ResponseTemplate
from ..projects import demo as projects_demo
from ..search import demo as search_demo
from ..surveys import demo as surveys_demo
from . import data as demo_data
from .history import SAFETY_MARGIN, _seed_demands, _World

#: Each feature package's idempotent demo seed, in the order they build on each other.


def _seed_guide(*, now: datetime) -> None:
    """The guide, the hall's services, answered questions, then the search index over all of it."""
    guide_demo.seed()
    hall_demo.seed()
    ask_demo.seed(now=now - SAFETY_MARGIN)
    search_demo.seed()


FEATURE_SEEDS = (elections_demo.seed, surveys_demo.seed, projects_demo.seed, _seed_guide)

SITE_URL = "http://127.0.0.1:8000/"


M = TypeVar("M", bound=models.Model)


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
    # The feature packages' demo data, on top of the places, people and demands above.
    for seed_feature in FEATURE_SEEDS:
        seed_feature(now=now)

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
