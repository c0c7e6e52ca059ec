"""The demand rows every export writes (the admin's list export, the statistics' row export): one set
of columns, without contact details, streamed in chunks whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Demand
from .workflow import Outcome, Status

#: (header, the value's lookup) in column order; status and outcome are written as their labels.
DEMAND_COLUMNS = (
    (_("number"), "id"),
    (_("building"), "building__name"),
    (_("category"), "category__name"),
    (_("title"), "title"),
    (_("status"), "status"),
    (_("outcome"), "outcome"),
    (_("assignee"), "assignee_department__name"),
    (_("supports"), "support_count"),
    (_("company name"), "company_name"),
    (_("submitted at"), "submitted_at"),
    (_("due at"), "due_at"),
    (_("first assigned at"), "assigned_at"),
    (_("resolved at"), "resolved_at"),
)
_LOOKUPS = [lookup for _header, lookup in DEMAND_COLUMNS]
_STATUS, _OUTCOME, _ASSIGNEE = (
    _LOOKUPS.index("status"),
    _LOOKUPS.index("outcome"),
    _LOOKUPS.index("assignee_department__name"),
)


def demand_rows(qs: QuerySet[Demand]) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers (in the reader's language) and a lazy iterator of rows, in the queryset's order
    (newest first when it has none): one query, read in chunks."""
    headers = [str(header) for header, _lookup in DEMAND_COLUMNS]
    status_labels = {value: str(label) for value, label in Status.choices}
    outcome_labels = {value: str(label) for value, label in Outcome.choices}
    if not qs.ordered:
        qs = qs.order_by("-submitted_at", "-id")

    def rows() -> Iterator[list[Any]]:
        for values in qs.values_list(*_LOOKUPS, "assignee_member__display_name").iterator(chunk_size=2000):
            row = list(values[:-1])
            row[_STATUS] = status_labels.get(row[_STATUS], row[_STATUS])
            row[_OUTCOME] = outcome_labels.get(row[_OUTCOME], "") if row[_OUTCOME] else ""
            # A demand is assigned to a department or to a council member, never both.
            row[_ASSIGNEE] = row[_ASSIGNEE] or values[-1] or ""
            yield row

    return headers, rows()
