"""The lobby screen (电子屏): version stamps and the feed behind the screen.

A thousand screens poll their feed every few seconds. Each answer carries an ETag derived from a
version stamp of the building (or area) held in the cache, so a poll when nothing changed is a cache
read and a 304, with no database query. `demand_changed` drops the stamp when a demand changes
(called by the actions, on commit); the stamp also expires after STAMP_TTL seconds, so a change made
outside the actions still shows within seconds.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buildings import cache_ops, panels
from buildings.models import Building, District, Subdistrict

from .. import selectors
from ..changes import DemandChange
from ..models import Demand, DemandEvent
from ..privacy import mask_personal
from ..workflow import STEPS, Status

#: How long a cached stamp (and the early path's entry) is trusted without a hook telling it changed
#: (seconds). A change through the actions drops them on commit; this bounds one made around them: it shows
#: within STAMP_TTL + one poll (screen.js: 2.5 s) = 5.5 s, inside the ≤ 6 s guarantee. Longer than the poll
#: interval on purpose: at 2 s a building with a single screen (most of them) never had its poll answered
#: early — every entry had expired by the next poll (bench/screens.py).
STAMP_TTL = 3
#: How many demands the screen shows at most (it pages through them by itself).
FEED_LIMIT = 200
SLUG_TTL = 300

# --- version stamps ---------------------------------------------------------------------------


GEN_KEY = "screen:gen"


def early_entry_key(path: str, language: str) -> str:
    """The early path's entry for a feed URL in a language (fastpath.py): (ETag, generation)."""
    return f"screen:fast:{path}:{language}"


def early_path_key(building_id: int) -> str:
    return f"screen:fast-path:b:{building_id}"


def body_key(path: str, etag: str) -> str:
    return f"screen:body:{path}:{etag}"


def _forget_early(building_id: int) -> None:
    """The building's feed changed: the early path must not answer from its entries any more."""
    _forget_entries(cache.get(early_path_key(building_id)))


def _forget_entries(path: str | None) -> None:
    if path:
        cache.delete_many([early_entry_key(path, code) for code, _ in settings.LANGUAGES])


def _gen() -> int:
    gen = cache.get("screen:gen")
    if gen is None:
        cache.add("screen:gen", 1, None)
        gen = cache.get("screen:gen") or 1
    return int(gen)


def demand_changed(building_id: int) -> None:
    """Tells screens and area screens that a demand of this building changed (after commit): its stamp
    goes, the early path forgets its feed, the generation moves — in the transaction's one round trip of
    after-commit invalidations (`cache_ops.on_commit`)."""
    cache_ops.on_commit(
        delete=[f"screen:stamp:b:{building_id}"],
        incr=[GEN_KEY],
        read={early_path_key(building_id): _forget_entries},
    )


def on_change(change: DemandChange) -> None:
    """After-change subscriber: every building the change touched gets a new stamp after commit."""
    if change.fields == {"contact"}:
        return  # contact details never reach a screen
    for building_id in sorted(change.building_ids):
        demand_changed(building_id)


def panels_touched(building_id: int) -> None:
    """Something a panel shows changed (a survey opened, turnout moved), not a demand: after commit,
    the building's stamp takes a fresh value (a digest alone would not move) and area stamps turn over."""

    def bump() -> None:
        stamp = _digest(Demand.objects.filter(building_id=building_id)) + "." + secrets.token_hex(4)
        cache.set(f"screen:stamp:b:{building_id}", stamp, STAMP_TTL)
        _forget_early(building_id)
        try:
            cache.incr(GEN_KEY)
        except ValueError:
            cache.add("screen:gen", 1, None)

    transaction.on_commit(bump)


def _digest(qs: QuerySet[Demand]) -> str:
    row = qs.aggregate(
        n=Count("id"),
        shown=Count("id", filter=Q(is_public=True, is_hidden=False)),
        companies=Count("id", filter=Q(show_company=True)),
        last=Max("updated_at"),
        versions=Sum("version"),
        supports=Sum("support_count"),
    )
    last = row["last"].timestamp() if row["last"] else 0
    return f"{row['n']}.{row['shown']}.{row['companies']}.{last}.{row['versions'] or 0}.{row['supports'] or 0}"


def building_stamp(building_id: int) -> str:
    """A value that changes whenever a demand of the building changes; one cache read when warm."""
    key = f"screen:stamp:b:{building_id}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = _digest(Demand.objects.filter(building_id=building_id))
        cache.set(key, stamp, STAMP_TTL)
    return stamp


def area_stamp(kind: str, area_id: int) -> str:
    return area_stamp_and_gen(kind, area_id)[0]


def area_stamp_and_gen(kind: str, area_id: int) -> tuple[str, int]:
    """The area's stamp and the generation it belongs to (any change anywhere moves the generation)."""
    gen = _gen()
    key = f"screen:stamp:{kind}:{area_id}:{gen}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = _digest(Demand.objects.filter(**_area_filter(kind, area_id)))
        cache.set(key, stamp, STAMP_TTL)
    return stamp, gen


def _area_filter(kind: str, area_id: int) -> dict[str, int]:
    if kind == "d":
        return {"building__subdistrict__district_id": area_id}
    return {"building__subdistrict_id": area_id}


#: Whatever the stamps say, every feed is rebuilt this often (seconds): an edit that changes none of
#: the stamped columns (a title corrected in the admin, say) still reaches the screens.
REFRESH_EVERY = 60


def phase_of(feed_key: str) -> int:
    """The second of the minute at which a feed's ETag turns over: each feed its own, so that a thousand
    screens' feeds are not all rebuilt in the same second. With one phase for all, every screen got a
    200 in the same couple of seconds once a minute (at 1,000,000 demands a feed takes ~50 ms to build:
    the workers were saturated for half of each minute; bench/screens.py)."""
    return int.from_bytes(hashlib.blake2s(feed_key.encode(), digest_size=4).digest(), "big") % REFRESH_EVERY


def building_phase(building_id: int) -> int:
    return phase_of(f"b:{building_id}")


def area_phase(kind: str, area_id: int) -> int:
    return phase_of(f"{kind}:{area_id}")


def seconds_left_in_bucket(phase: int = 0) -> int:
    """Whole seconds until the ETag's minute bucket turns over (an early-path entry must not outlive it)."""
    return REFRESH_EVERY - (int(timezone.now().timestamp()) + phase) % REFRESH_EVERY


def etag_matches(etag: str, if_none_match: str) -> bool:
    """If-None-Match compares weakly (RFC 9110): GZipMiddleware hands out W/"…" for the same feed."""
    return etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]


def etag_for(stamp: str, phase: int = 0) -> str:
    """The ETag of a feed: the data's stamp plus what else changes the answer (language, month, minute —
    the minute turning at the feed's own `phase`)."""
    now = timezone.localtime()
    bucket = (int(now.timestamp()) + phase) // REFRESH_EVERY
    raw = f"{stamp}|{get_language()}|{now:%Y-%m}|{bucket}"
    return '"' + hashlib.blake2s(raw.encode(), digest_size=12).hexdigest() + '"'


# --- lookups (cached: the 304 path must not touch the database) -------------------------------


def slug_key(slug: str) -> str:
    return f"screen:slug:b:{slug}"


def building_written(sender: Any, instance: Building, **kwargs: Any) -> None:
    """A building saved or deleted (deactivated, say): after commit its slug is looked up again — the
    board, the screen and the API's list find the building from that entry, without a query."""
    cache_ops.on_commit(delete=[slug_key(instance.slug)])


def building_id_for_slug(slug: str) -> int | None:
    """The id of the active building of `slug`: one cache read when warm (None: no such active building)."""
    key = slug_key(slug)
    found = cache.get(key)
    if found is None:
        found = Building.objects.filter(slug=slug, is_active=True).values_list("id", flat=True).first() or 0
        cache.set(key, found, SLUG_TTL if found else 30)
    return found or None


def area_for_slug(slug: str) -> tuple[str, int] | None:
    """("s", id) for a sub-district, ("d", id) for a district, None when neither has this slug."""
    key = f"screen:slug:a:{slug}"
    found = cache.get(key)
    if found is None:
        sub = Subdistrict.objects.filter(slug=slug).values_list("id", flat=True).first()
        if sub:
            found = ("s", sub)
        else:
            dist = District.objects.filter(slug=slug).values_list("id", flat=True).first()
            found = ("d", dist) if dist else ("", 0)
        cache.set(key, found, SLUG_TTL)
    kind, area_id = found
    return (kind, area_id) if kind else None


# --- the feed ---------------------------------------------------------------------------------


def _figures(qs: QuerySet[Demand]) -> dict[str, Any]:
    figures = selectors.demand_figures(qs)
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    data: dict[str, Any] = asdict(figures)
    data["this_month"] = qs.filter(submitted_at__gte=month_start).count()
    data["resolution_rate"] = figures.resolution_rate
    return data


def _public_company(show_company: bool, company_name: str, anonymous: str) -> str:
    """The company as the submitter allowed it to be shown, otherwise `anonymous` (“某企业员工”)."""
    return mask_personal(company_name) if show_company and company_name else anonymous


def _localized(row: dict[str, Any], prefix: str, english: bool) -> str:
    # BilingualName.localized_name, on plain values.
    return str((english and row[f"{prefix}name_en"]) or row[f"{prefix}name"])


class _Labels:
    """The words every row of a feed repeats, translated once per feed (they were a fifth of its build)."""

    def __init__(self) -> None:
        self.status = {str(s): str(s.label) for s in Status}
        self.outcome = {str(value): str(label) for value, label in Demand._meta.get_field("outcome").flatchoices}
        self.anonymous = str(_("An employee of a company in the building"))
        self.kinds: dict[str, str] = {}

    def kind(self, kind: str) -> str:
        if kind not in self.kinds:
            self.kinds[kind] = str(DemandEvent.Kind(kind).label)
        return self.kinds[kind]


def _latest_update(row: dict[str, Any], labels: _Labels) -> dict[str, Any] | None:
    """The latest public event, from the annotations made by screen_demands (no extra query)."""
    kind = row["last_kind"]
    if not kind:
        return None
    label = labels.kind(kind)
    note = row["last_note"] or ""
    data = row["last_data"] if isinstance(row["last_data"], dict) else {}
    if kind == DemandEvent.Kind.ASSIGNED and data.get("assignee"):
        label = _("Assigned to %(assignee)s") % {"assignee": data["assignee"]}
    return {"kind": kind, "label": label, "note": mask_personal(note)[:300], "at": row["last_at"]}


#: The columns a feed row is made of (plain values: building 200 rows as three model instances each,
#: select_related, was a third of a feed's build at 1,000,000 demands).
_ROW = (
    "id",
    "title",
    "show_company",
    "company_name",
    "status",
    "outcome",
    "support_count",
    "submitted_at",
    "updated_at",
    "building__name",
    "building__name_en",
    "category__name",
    "category__name_en",
    "category__icon",
    "last_kind",
    "last_note",
    "last_data",
    "last_at",
)


def screen_demands(qs: QuerySet[Demand], limit: int = FEED_LIMIT) -> list[dict[str, Any]]:
    """Public demands, newest activity first, each with its latest public update: one query."""
    latest = DemandEvent.objects.filter(demand=OuterRef("pk"), is_public=True).order_by("-created_at", "-id")
    rows = (
        qs.filter(is_public=True, is_hidden=False)
        .annotate(
            last_kind=Subquery(latest.values("kind")[:1]),
            last_note=Subquery(latest.values("note")[:1]),
            last_data=Subquery(latest.values("data")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-updated_at", "-id")
        .values(*_ROW)[:limit]
    )
    labels = _Labels()
    english = (get_language() or "").startswith("en")
    steps = {str(s): i for i, s in enumerate(STEPS)}
    return [
        {
            "id": d["id"],
            "building": _localized(d, "building__", english),
            "category": _localized(d, "category__", english),
            "icon": d["category__icon"],
            "title": mask_personal(d["title"]),
            "company": _public_company(d["show_company"], d["company_name"], labels.anonymous),
            "status": d["status"],
            "status_label": labels.status[d["status"]],
            "step": steps[d["status"]],
            "outcome": labels.outcome.get(d["outcome"], d["outcome"]) if d["outcome"] else "",
            "support_count": d["support_count"],
            "submitted_at": d["submitted_at"],
            "updated_at": d["updated_at"],
            "latest": _latest_update(d, labels),
        }
        for d in rows
    ]


def building_feed(building_id: int, submit_url: str) -> dict[str, Any]:
    """Everything the building's screen shows, in 4 queries whatever the number of demands."""
    building = Building.objects.select_related("council").get(pk=building_id)
    qs = Demand.objects.filter(building_id=building_id)
    council = getattr(building, "council", None)
    return {
        "kind": "building",
        "slug": building.slug,
        "name": building.localized_name,
        "council": str(council) if council else building.localized_name,
        "service_station": council.service_station if council else "",
        "submit_url": submit_url,
        "figures": _figures(qs),
        "steps": [str(s.label) for s in STEPS],
        "demands": screen_demands(qs),
        # Surveys, elections, projects...: registered by their packages (buildings.panels).
        "panels": panels.screen_panels(building_id),
        "generated_at": timezone.now(),
    }


def area_feed(kind: str, area_id: int) -> dict[str, Any]:
    """An area screen: its figures, a row per building with the same figures, and the latest demands."""
    area: District | Subdistrict = (District if kind == "d" else Subdistrict).objects.get(pk=area_id)
    qs = Demand.objects.filter(**_area_filter(kind, area_id))
    buildings = Building.objects.filter(is_active=True, **_building_area_filter(kind, area_id))
    per_building = building_figures(buildings)
    return {
        "kind": "area",
        "slug": area.slug,
        "name": area.localized_name,
        "council": area.localized_name,
        "figures": _figures(qs),
        "steps": [str(s.label) for s in STEPS],
        "buildings": per_building,
        "panels": panels.area_panels("district" if kind == "d" else "subdistrict", area_id),
        "demands": screen_demands(qs, limit=100),
        "generated_at": timezone.now(),
    }


def _building_area_filter(kind: str, area_id: int) -> dict[str, int]:
    return {"subdistrict__district_id": area_id} if kind == "d" else {"subdistrict_id": area_id}


def building_figures(buildings: QuerySet[Building]) -> list[dict[str, Any]]:
    """The headline figures per building, in one grouped query (same definitions as demand_figures)."""
    rows = (
        buildings.annotate(
            received=Count("demands"),
            resolved=Count("demands", filter=Q(demands__status=Status.RESOLVED)),
            in_progress=Count("demands", filter=Q(demands__status__in=[Status.ASSIGNED, Status.IN_PROGRESS])),
            waiting=Count("demands", filter=Q(demands__status=Status.SUBMITTED)),
        )
        .values("slug", "name", "name_en", "received", "resolved", "in_progress", "waiting")
        .order_by("-received", "slug")
    )
    english = (get_language() or "").startswith("en")
    return [
        {
            "slug": r["slug"],
            "name": (r["name_en"] if english and r["name_en"] else r["name"]),
            "received": r["received"],
            "resolved": r["resolved"],
            "in_progress": r["in_progress"],
            "waiting": r["waiting"],
            "resolution_rate": (r["resolved"] / r["received"]) if r["received"] else None,
        }
        for r in rows
    ]
