"""Keeping the search documents current: from the after-change path (demands) and the guide (matters).

A demand is searchable once it is resolved (solved or with a way forward), public and not hidden;
a question once it is answered and public; a matter while it is published. Anything else has no
document. Subscribers run inside the writing action's transaction, so the index never disagrees
with what committed; a change that cannot alter the document (a new demand, a support, an
assignment) costs no query.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Func, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from requests_tracker.changes import DemandChange
from requests_tracker.models import Demand
from requests_tracker.workflow import Outcome, Status
from services.guide.models import Matter

from . import cache as answers
from . import segment
from .models import SearchDocument

SEARCHABLE_OUTCOMES = frozenset({Outcome.SOLVED, Outcome.PROPOSAL})
#: The changes besides entering or leaving "resolved" that can alter what a document says or whether it exists.
RELEVANT_FIELDS = frozenset({"text", "visibility", "building", "category"})


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _save(doc_fields: dict[str, Any], **key: Any) -> None:
    title_words = doc_fields["title_words"]
    body_words = doc_fields["body_words"]
    title_chars = segment.characters(doc_fields["title"])
    if _is_postgres():
        # The title's single characters, weight D: only the typo fallback's ranking asks for them; the
        # fallback finds its candidates by the pairs of them (engine.py), stored apart as bare lexemes.
        doc_fields["vector"] = (
            SearchVector(Value(title_words), weight="A", config="simple")
            + SearchVector(Value(body_words), weight="B", config="simple")
            + SearchVector(Value(" ".join(sorted(title_chars))), weight="D", config="simple")
        )
        pairs = segment.character_pairs(title_chars[: segment.PAIRED_CHARACTERS])
        doc_fields["title_pairs"] = Func(
            Value(pairs), function="array_to_tsvector", template="%(function)s(%(expressions)s::text[])"
        )
    SearchDocument.objects.update_or_create(defaults=doc_fields, **key)
    answers.index_changed()


def on_change(change: DemandChange) -> None:
    """The after-change subscriber: re-index the demand when what it shows or whether it shows changed."""
    if change.is_new:
        return  # a new demand is never resolved yet
    if "deleted" in change.fields:
        # Its document went with it (CASCADE): only the answers cached before must not outlive it.
        answers.index_changed()
        return
    resolved_side = any(key is not None and key[0] == Status.RESOLVED for key in (change.before, change.after))
    if resolved_side or change.fields & RELEVANT_FIELDS:
        index_demand(change.demand_id)


def index_demand(demand_id: int) -> None:
    demand = (
        Demand.objects.select_related("building__subdistrict", "category", "assignee_department")
        .filter(pk=demand_id)
        .first()
    )
    if demand is None or not _searchable(demand):
        if SearchDocument.objects.filter(demand_id=demand_id).delete()[0]:
            answers.index_changed()
        return
    building = demand.building
    with override("zh-hans"):
        meta = " · ".join(
            str(x)
            for x in (building.name, demand.category.name, timezone.localtime(demand.resolved_at).date().isoformat())
            if x
        )
    title = demand.title
    body = "\n".join(x for x in (demand.description, demand.resolution_note) if x)
    context = " ".join((building.name, building.name_en, demand.category.name, demand.category.name_en))
    _save(
        {
            "kind": SearchDocument.Kind.QUESTION if demand.kind == Demand.Kind.QUESTION else SearchDocument.Kind.DEMAND,
            "title": title[:200],
            "text": body,
            "title_words": segment.index_text(title),
            "body_words": segment.index_text(f"{body} {context}"),
            "url": reverse("demand-public", args=[building.slug, demand.pk]),
            "category_id_ref": demand.category_id,
            "building_id_ref": building.pk,
            "subdistrict_id_ref": building.subdistrict_id,
            "district_id_ref": building.subdistrict.district_id,
            "department_id_ref": demand.assignee_department_id,
            "outcome": demand.outcome,
            "year": timezone.localtime(demand.resolved_at).year,
            "meta": meta[:300],
            "published_at": demand.resolved_at,
        },
        demand_id=demand.pk,
    )


def _searchable(demand: Demand) -> bool:
    return (
        demand.status == Status.RESOLVED
        and demand.outcome in SEARCHABLE_OUTCOMES
        and demand.resolved_at is not None
        and demand.is_public
        and not demand.is_hidden
        and demand.building.is_active
    )


def index_matter(matter_id: int) -> None:
    """The guide's hook: a matter was created or edited."""
    matter = Matter.objects.select_related("department").filter(pk=matter_id).first()
    if matter is None or not matter.is_published or not matter.department.is_active:
        if SearchDocument.objects.filter(matter_id=matter_id).delete()[0]:
            answers.index_changed()
        return
    department = matter.department
    body = "\n".join(x for x in (matter.audience, matter.steps, matter.documents) if x)
    _save(
        {
            "kind": SearchDocument.Kind.MATTER,
            "title": matter.title[:200],
            "text": body,
            "title_words": segment.index_text(f"{matter.title} {matter.title_en}"),
            "body_words": segment.index_text(f"{body} {department.name} {department.name_en}"),
            "url": reverse("guide-department", args=[department.code]) + f"#matter-{matter.pk}",
            "category_id_ref": None,
            "building_id_ref": None,
            "subdistrict_id_ref": None,
            "district_id_ref": department.district_id,
            "department_id_ref": department.pk,
            "outcome": "",
            "year": timezone.localtime(matter.reviewed_at).year,
            "meta": department.name,
            "published_at": matter.reviewed_at,
        },
        matter_id=matter.pk,
    )


def rebuild() -> int:
    """Re-indexes everything (after a bulk load or a dictionary change); returns the document count."""
    SearchDocument.objects.all().delete()
    answers.index_changed()
    resolved = Demand.objects.filter(status=Status.RESOLVED, outcome__in=SEARCHABLE_OUTCOMES, is_public=True)
    for demand_id in resolved.values_list("pk", flat=True).iterator():
        index_demand(demand_id)
    for matter_id in Matter.objects.filter(is_published=True).values_list("pk", flat=True):
        index_matter(matter_id)
    return SearchDocument.objects.count()
