"""The statistics' exports: the figures with their definitions, and the underlying rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..exports import demand_rows
from ..models import Demand


def row_export(qs: QuerySet[Demand]) -> tuple[list[str], Any]:
    """The underlying rows in scope, without contact details: the same columns as every demand export."""
    return demand_rows(qs.order_by("-submitted_at", "-id"))


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
    for section in data.get("sections", []):
        for item in section["items"]:
            rows.append([str(section["title"]), str(item["label"]), item["value"], str(item["definition"])])
    return headers, rows
