"""The statistics' exports: the figures with their definitions, and the underlying rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import Demand
from ..workflow import Outcome, Status


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
