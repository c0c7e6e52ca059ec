"""The daily digest for captains and the weekly figures for district staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from buildings.models import Building, CouncilMember, District, User

from .. import figures
from ..models import Demand, Notification
from ..selectors import serving_members
from . import messages, outbox


def captain_digest_rows(now: datetime) -> dict[User, list[dict[str, Any]]]:
    """Per serving captain with an e-mail: each of their buildings' new, waiting and overdue counts (2 queries)."""
    seats = list(
        serving_members(timezone.localdate(now))
        .filter(role=CouncilMember.Role.CAPTAIN, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "council__building")
        .order_by("user_id", "council__building__slug")
    )
    counts: dict[int, dict[str, Any]] = {
        row["building_id"]: dict(row)
        for row in Demand.objects.filter(building_id__in={s.council.building_id for s in seats})
        .values("building_id")
        .annotate(
            new=Count("id", filter=Q(submitted_at__gte=now - timedelta(days=1), submitted_at__lt=now)),
            waiting=figures.count("waiting", now),
            overdue=figures.count("overdue", now),
        )
    }
    result: dict[User, list[dict[str, Any]]] = defaultdict(list)
    for seat in seats:
        row = counts.get(seat.council.building_id, {"new": 0, "waiting": 0, "overdue": 0})
        building: Building = seat.council.building
        assert seat.user is not None
        result[seat.user].append(
            {"building": building, "new": row["new"], "waiting": row["waiting"], "overdue": row["overdue"]}
        )
    return dict(result)


def send_daily_digests(*, now: datetime | None = None) -> list[Notification]:
    """One digest per captain per Shanghai day, only when something is new, waiting or overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    written: list[Notification] = []
    for user, rows in captain_digest_rows(now).items():
        if not any(r["new"] or r["waiting"] or r["overdue"] for r in rows):
            continue

        def compose(rows: list[dict[str, Any]] = rows) -> messages.Message:
            return messages.daily_digest(rows, today=today)

        written += _write_once(
            outbox._email_rows(
                [user],
                compose,
                kind=Notification.Kind.DAILY_DIGEST,
                now=now,
                dedupe=f"daily:{today}",
            )
        )
    return written


def district_weekly_rows(now: datetime) -> dict[User, list[dict[str, Any]]]:
    """Per district staff member with an e-mail: each of their districts' figures (3 queries)."""
    week_ago = now - timedelta(days=7)
    districts: dict[int, dict[str, Any]] = {
        row["district_id"]: dict(row)
        for row in Demand.objects.values(district_id=models_district()).annotate(
            received=figures.count("received", now),
            resolved=figures.count("resolved", now),
            open=figures.count("open", now),
            overdue=figures.count("overdue", now),
            new=Count("id", filter=Q(submitted_at__gte=week_ago, submitted_at__lt=now)),
            resolved_week=Count("id", filter=Q(resolved_at__gte=week_ago, resolved_at__lt=now)),
        )
    }
    staff = (
        User.objects.filter(is_active=True, districts__isnull=False)
        .exclude(email="")
        .distinct()
        .prefetch_related("districts")
        .order_by("id")
    )
    result: dict[User, list[dict[str, Any]]] = {}
    empty = {"received": 0, "resolved": 0, "open": 0, "overdue": 0, "new": 0, "resolved_week": 0}
    for user in staff:
        rows = []
        district: District
        for district in user.districts.all():
            counted = {k: districts.get(district.pk, empty)[k] for k in empty}
            rows.append({"district": district, "figures": counted})
        result[user] = rows
    return result


def models_district() -> Any:
    return F("building__subdistrict__district_id")


def send_weekly_figures(*, now: datetime | None = None) -> list[Notification]:
    """One e-mail of figures per district staff member per ISO week."""
    now = now or timezone.now()
    year, week, _day = timezone.localdate(now).isocalendar()
    label = f"{year}-W{week:02d}"
    written: list[Notification] = []
    for user, rows in district_weekly_rows(now).items():

        def compose(rows: list[dict[str, Any]] = rows) -> messages.Message:
            return messages.weekly_figures(rows, week=label)

        written += _write_once(
            outbox._email_rows(
                [user],
                compose,
                kind=Notification.Kind.WEEKLY_FIGURES,
                now=now,
                dedupe=f"weekly:{label}",
            )
        )
    return written


def _write_once(rows: list[Notification]) -> list[Notification]:
    """Writes rows whose dedupe key is new; a digest already written today is left alone."""
    if not rows:
        return []
    existing = set(
        Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list("dedupe_key", flat=True)
    )
    fresh = [r for r in rows if r.dedupe_key not in existing]
    with transaction.atomic():
        return outbox.write(fresh)
