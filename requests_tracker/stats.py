"""District statistics: who may read which figures, the filters, and the figures themselves.

Every figure is an indexed aggregate over `Demand`, computed in a fixed number of queries whatever
the number of rows, so it always equals a recount. The headline figures come from
`selectors.demand_figures`, the one definition shared by the board, the screen, the stats and the API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, District, Subdistrict

from . import access, figures, selectors
from .changes import DemandChange, Key
from .models import Category, Demand, DemandTally
from .selectors import ActorScope
from .workflow import OPEN_STATUSES, Outcome, Status

#: Each figure and what it means: shown next to it on the page, in the API and in the exports.
DEFINITIONS: dict[str, Any] = {
    **figures.definitions(("received", "resolved", "in_progress", "waiting", "overdue", "resolution_rate")),
    "first_response": _(
        "Time from submission to the first assignment, over demands that were assigned: median and 90th percentile."
    ),
    "resolution_time": _("Time from submission to resolution, over resolved demands: median and 90th percentile."),
    "by_outcome": _("Resolved demands by outcome: solved, way forward proposed, duplicate, not applicable."),
    "monthly": _("Per calendar month (Shanghai time): demands submitted, and demands resolved in that month."),
    "by_category": _("Received and resolved per category."),
    "buildings": _("Buildings ranked by demands received, with their resolution rate."),
    "departments": _(
        "Open demands assigned to each department, how many are overdue, and how long the oldest has waited."
    ),
}


# --- maintained counters -------------------------------------------------------------------------


def on_change(change: DemandChange) -> None:
    """After-change subscriber: moves the demand between tallies, inside the action's transaction.

    A status/outcome change moves it from one (status, outcome) key to another; a building move
    takes it off the old building's tallies and onto the new one's.
    """
    before, after = change.before, change.after
    if change.moved_from is not None and before is not None:
        key = after or before
        _move_tallies([(change.moved_from, before, -1), (change.building_id, key, +1)])
    elif after is not None and before != after:
        rows = [(change.building_id, after, +1)]
        if before is not None:
            rows.append((change.building_id, before, -1))
        _move_tallies(rows)


def _move_tallies(moves: list[tuple[int, Key, int]]) -> None:
    deltas: dict[tuple[int, str, str], int] = {}
    for building_id, (status, outcome), delta in moves:
        key = (building_id, status, outcome)
        deltas[key] = deltas.get(key, 0) + delta
    rows = sorted((k, d) for k, d in deltas.items() if d)
    if not rows:
        return
    table = DemandTally._meta.db_table
    # One statement, keys in a fixed order: two transactions moving demands of the same building
    # in opposite directions lock the tally rows in the same order, so they cannot deadlock.
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for (building_id, status, outcome), delta in rows:
        params += [building_id, status, outcome, delta]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (building_id, status, outcome, n) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (building_id, status, outcome) DO UPDATE SET n = {table}.n + EXCLUDED.n",
            params,
        )


def rebuild_tallies() -> None:
    """Recomputes every tally from the demands (after a bulk load, or to repair by hand)."""
    table = DemandTally._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (building_id, status, outcome, n) "  # noqa: S608
            f"SELECT building_id, status, outcome, count(*) FROM {Demand._meta.db_table} "
            "GROUP BY building_id, status, outcome"
        )


def _building_ids(**lookup: Any) -> set[int]:
    # A literal list of building ids, not a join (see access.stats_building_ids).
    return set(Building.objects.filter(**lookup).values_list("id", flat=True))


def buildings_for_stats(scope: ActorScope) -> QuerySet[Building]:
    qs = Building.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(Q(subdistrict__district_id__in=scope.district_ids) | Q(id__in=scope.triage_building_ids))


class StatsFilterForm(forms.Form):
    """The filters of the stats page and API; every value is validated before it reaches a query."""

    district = forms.SlugField(label=_("district"), required=False)
    subdistrict = forms.SlugField(label=_("sub-district"), required=False)
    building = forms.SlugField(label=_("building"), required=False)
    category = forms.SlugField(label=_("category"), required=False)
    since = forms.DateField(label=_("start date"), required=False)
    until = forms.DateField(label=_("end date"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        for name, model, field in (
            ("district", District, "slug"),
            ("subdistrict", Subdistrict, "slug"),
            ("building", Building, "slug"),
            ("category", Category, "code"),
        ):
            value = data.get(name)
            if value:
                found = model.objects.filter(**{field: value}).first()  # type: ignore[attr-defined]
                if found is None:
                    self.add_error(name, _("“%(value)s” does not exist.") % {"value": value})
                data[name + "_obj"] = found
        return data

    def demands(self, scope: ActorScope | None = None) -> QuerySet[Demand]:
        """The demands in the user's reach that match the filters.

        Buildings (from the scope, the district, the sub-district, the building) are narrowed to ONE
        literal list of ids, so PostgreSQL plans an index-only scan of demand_stats_cover; two lists
        or a join make it estimate badly and read the table.
        """
        data = self.cleaned_data
        ids = self.building_ids(scope)
        qs = Demand.objects.all() if ids is None else Demand.objects.filter(building_id__in=sorted(ids))
        if data.get("category_obj"):
            qs = qs.filter(category=data["category_obj"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            qs = qs.filter(submitted_at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data.get("until"):
            qs = qs.filter(submitted_at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz))
        return qs

    @property
    def by_building_only(self) -> bool:
        """Whether the filters only choose buildings: then the maintained tallies answer the headline."""
        data = self.cleaned_data
        return not (data.get("category_obj") or data.get("since") or data.get("until"))

    def building_ids(self, scope: ActorScope | None = None) -> set[int] | None:
        """The buildings in reach that the filters choose (None: all); computed once per form."""
        cache_key = (scope.user_id if scope else None, scope.is_superuser if scope else True)
        cached = getattr(self, "_ids", None)
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        data = self.cleaned_data
        ids = access.stats_building_ids(scope) if scope is not None else None

        def narrow(current: set[int] | None, more: set[int]) -> set[int]:
            return more if current is None else current & more

        if data.get("district_obj"):
            ids = narrow(ids, _building_ids(subdistrict__district=data["district_obj"]))
        if data.get("subdistrict_obj"):
            ids = narrow(ids, _building_ids(subdistrict=data["subdistrict_obj"]))
        if data.get("building_obj"):
            ids = narrow(ids, {data["building_obj"].pk})
        self._ids = (cache_key, ids)
        return ids


@dataclass(frozen=True)
class Durations:
    median_hours: float | None
    p90_hours: float | None
    count: int


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    """Linear interpolation, as PostgreSQL's percentile_cont: the same answer on both databases."""
    if not values:
        return None, None
    values = sorted(values)

    def cont(fraction: float) -> float:
        pos = fraction * (len(values) - 1)
        low = int(pos)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (pos - low)

    return cont(0.5), cont(0.9)


_PERCENTILE_SQL = """
SELECT
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM s.assigned_at - s.submitted_at))
    FILTER (WHERE s.assigned_at IS NOT NULL),
  count(s.assigned_at),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM s.resolved_at - s.submitted_at))
    FILTER (WHERE s.resolved_at IS NOT NULL),
  count(s.resolved_at)
FROM ({subquery}) s
"""


def durations(qs: QuerySet[Demand]) -> dict[str, Durations]:
    """Median and 90th percentile of time to first response and to resolution, in hours: one query."""
    base = qs.order_by().values("submitted_at", "assigned_at", "resolved_at")
    try:
        sql, params = base.query.sql_with_params()
    except EmptyResultSet:  # nothing in reach (e.g. a captain filtering on another building)
        return {k: Durations(None, None, 0) for k in ("first_response", "resolution_time")}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # `sql` is Django's own compiled query (values travel in `params`): nothing user-typed in it.
            cursor.execute(
                _PERCENTILE_SQL.format(subquery=sql),
                params,
            )
            first, n_first, resolution, n_resolution = cursor.fetchone()
        first = first or [None, None]
        resolution = resolution or [None, None]
    else:
        rows = list(base)
        f = [(r["assigned_at"] - r["submitted_at"]).total_seconds() for r in rows if r["assigned_at"]]
        s = [(r["resolved_at"] - r["submitted_at"]).total_seconds() for r in rows if r["resolved_at"]]
        first, n_first = list(_percentiles(f)), len(f)
        resolution, n_resolution = list(_percentiles(s)), len(s)

    def hours(v: Any) -> float | None:
        return None if v is None else round(float(v) / 3600, 1)

    return {
        "first_response": Durations(hours(first[0]), hours(first[1]), n_first),
        "resolution_time": Durations(hours(resolution[0]), hours(resolution[1]), n_resolution),
    }


def headline(qs: QuerySet[Demand], *, now: datetime | None = None) -> dict[str, Any]:
    """The headline figures, overdue and resolved-by-outcome in ONE aggregate (an index-only scan),
    each counted as `figures.FIGURES` defines it."""
    now = now or timezone.now()
    row = qs.order_by().aggregate(
        received=figures.count("received", now),
        resolved=figures.count("resolved", now),
        in_progress=figures.count("in_progress", now),
        waiting=figures.count("waiting", now),
        overdue=figures.count("overdue", now),
        **{f"outcome_{o}": Count("id", filter=Q(status=Status.RESOLVED, outcome=o)) for o in Outcome.values},
    )
    counted = selectors.Figures(
        received=row["received"], resolved=row["resolved"], in_progress=row["in_progress"], waiting=row["waiting"]
    )
    return {
        "figures": {**asdict(counted), "overdue": row["overdue"], "resolution_rate": counted.resolution_rate},
        "by_outcome": [
            {"outcome": value, "label": str(label), "count": row[f"outcome_{value}"]}
            for value, label in Outcome.choices
        ],
        "definitions": {k: str(DEFINITIONS[k]) for k in (*_HEADLINE, "by_outcome")},
        "generated_at": now,
    }


def headline_from_tallies(building_ids: set[int] | None, *, now: datetime | None = None) -> dict[str, Any]:
    """The same answer as `headline` for whole buildings, from the maintained tallies (2 queries):
    a sum over a few rows per building, plus overdue from the partial index demand_open_due."""
    now = now or timezone.now()
    tallies = DemandTally.objects.all()
    demands = Demand.objects.all()
    if building_ids is not None:
        tallies = tallies.filter(building_id__in=sorted(building_ids))
        demands = demands.filter(building_id__in=sorted(building_ids))
    counts: dict[tuple[str, str], int] = {}
    for row in tallies.values("status", "outcome").annotate(total=Sum("n")).order_by():
        counts[(row["status"], row["outcome"])] = row["total"] or 0

    summed = selectors.Figures(**figures.from_tallies(counts, ("received", "resolved", "in_progress", "waiting")))
    overdue = demands.filter(figures.FIGURES["overdue"].where(now)).count()
    return {
        "figures": {**asdict(summed), "overdue": overdue, "resolution_rate": summed.resolution_rate},
        "by_outcome": [
            {"outcome": value, "label": str(label), "count": counts.get((Status.RESOLVED, value), 0)}
            for value, label in Outcome.choices
        ],
        "definitions": {k: str(DEFINITIONS[k]) for k in (*_HEADLINE, "by_outcome")},
        "generated_at": now,
    }


def headline_for(
    form: StatsFilterForm, scope: ActorScope | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The headline of a validated filter form: from the tallies when it only chooses buildings."""
    if form.by_building_only:
        return headline_from_tallies(form.building_ids(scope), now=now)
    return headline(form.demands(scope), now=now)


_HEADLINE = ("received", "resolved", "in_progress", "waiting", "overdue", "resolution_rate")


def compute(
    qs: QuerySet[Demand], *, now: datetime | None = None, top: int = 20, head: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every figure of the stats page for the demands in `qs`, in 7 queries whatever their number
    (6 plus `head`'s when the headline comes precomputed, e.g. from `headline_for`)."""
    now = now or timezone.now()
    qs = qs.order_by()
    head = head or headline(qs, now=now)
    tz = timezone.get_current_timezone()
    received_by_month = {
        r["m"]: r["n"]
        for r in qs.annotate(m=TruncMonth("submitted_at", tzinfo=tz)).values("m").annotate(n=Count("id")).order_by()
    }
    resolved_by_month = {
        r["m"]: r["n"]
        for r in qs.filter(resolved_at__isnull=False)
        .annotate(m=TruncMonth("resolved_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
    }
    months = sorted(set(received_by_month) | set(resolved_by_month))
    monthly = [
        {
            "month": timezone.localtime(m).strftime("%Y-%m") if timezone.is_aware(m) else m.strftime("%Y-%m"),
            "received": received_by_month.get(m, 0),
            "resolved": resolved_by_month.get(m, 0),
        }
        for m in months
    ]
    by_category = [
        {
            "category": r["category__code"],
            "name": r["category__name"],
            "received": r["received"],
            "resolved": r["resolved"],
            "open": r["received"] - r["resolved"],
        }
        for r in qs.values("category__code", "category__name")
        .annotate(received=figures.count("received", now), resolved=figures.count("resolved", now))
        .order_by("-received", "category__code")
    ]
    buildings = [
        {
            "building": r["building__slug"],
            "name": r["building__name"],
            "received": r["received"],
            "resolved": r["resolved"],
            "in_progress": r["in_progress"],
            "waiting": r["received"] - r["resolved"] - r["in_progress"],
            "resolution_rate": figures.resolution_rate(r["received"], r["resolved"]),
        }
        for r in qs.values("building__slug", "building__name")
        .annotate(
            received=figures.count("received", now),
            resolved=figures.count("resolved", now),
            in_progress=figures.count("in_progress", now),
        )
        .order_by("-received", "building__slug")[:top]
    ]
    departments = [
        {
            "department": r["assignee_department__code"],
            "name": r["assignee_department__name"],
            "open": r["open"],
            "overdue": r["overdue"],
            "oldest_days": round((now - r["oldest"]).total_seconds() / 86400, 1) if r["oldest"] else None,
        }
        for r in qs.filter(status__in=OPEN_STATUSES, assignee_department__isnull=False)
        .values("assignee_department__code", "assignee_department__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)), oldest=Min("submitted_at"))
        .order_by("-open", "assignee_department__code")
    ]
    times = durations(qs)
    return {
        "figures": head["figures"],
        "by_outcome": head["by_outcome"],
        "first_response": asdict(times["first_response"]),
        "resolution_time": asdict(times["resolution_time"]),
        "monthly": monthly,
        "by_category": by_category,
        "buildings": buildings,
        "departments": departments,
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
        "generated_at": now,
    }


def row_export(qs: QuerySet[Demand]) -> tuple[list[str], Any]:
    """The underlying rows in scope, without contact details: header and a lazy row iterator."""
    headers = [
        str(_("id")),
        str(_("building")),
        str(_("category")),
        str(_("title")),
        str(_("status")),
        str(_("outcome")),
        str(_("assigned department")),
        str(_("submitted at")),
        str(_("first assigned at")),
        str(_("resolved at")),
        str(_("due at")),
    ]
    status_labels = dict(Status.choices)
    outcome_labels = dict(Outcome.choices)
    rows = (
        (
            r[0],
            r[1],
            r[2],
            r[3],
            str(status_labels.get(r[4], r[4])),
            str(outcome_labels.get(r[5], "")) if r[5] else "",
            r[6] or "",
            r[7],
            r[8],
            r[9],
            r[10],
        )
        for r in qs.order_by("-submitted_at", "-id")
        .values_list(
            "id",
            "building__name",
            "category__name",
            "title",
            "status",
            "outcome",
            "assignee_department__name",
            "submitted_at",
            "assigned_at",
            "resolved_at",
            "due_at",
        )
        .iterator(chunk_size=2000)
    )
    return headers, rows


def figure_export(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The figures as (section, item, value, definition) rows for CSV/XLSX."""
    headers = [str(_("section")), str(_("item")), str(_("value")), str(_("definition"))]
    d = data["definitions"]
    f = data["figures"]
    rows: list[list[Any]] = []
    for key, label in (
        ("received", _("received")),
        ("resolved", _("resolved")),
        ("in_progress", _("in progress")),
        ("waiting", _("waiting")),
        ("overdue", _("overdue")),
    ):
        rows.append([str(_("figures")), str(label), f[key], d[key]])
    rate = f["resolution_rate"]
    rows.append(
        [str(_("figures")), str(_("resolution rate")), f"{rate:.1%}" if rate is not None else "", d["resolution_rate"]]
    )
    for o in data["by_outcome"]:
        rows.append([str(_("resolved by outcome")), o["label"], o["count"], d["by_outcome"]])
    for key, label in (("first_response", _("first response")), ("resolution_time", _("resolution time"))):
        rows.append([str(label), str(_("median (hours)")), data[key]["median_hours"], d[key]])
        rows.append([str(label), str(_("90th percentile (hours)")), data[key]["p90_hours"], d[key]])
    for m in data["monthly"]:
        rows.append([str(_("monthly received")), m["month"], m["received"], d["monthly"]])
        rows.append([str(_("monthly resolved")), m["month"], m["resolved"], d["monthly"]])
    for c in data["by_category"]:
        rows.append([str(_("by category")), c["name"], c["received"], d["by_category"]])
    for b in data["buildings"]:
        rows.append([str(_("building ranking")), b["name"], b["received"], d["buildings"]])
    for dep in data["departments"]:
        rows.append([str(_("department backlog")), dep["name"], dep["open"], d["departments"]])
    return headers, rows
