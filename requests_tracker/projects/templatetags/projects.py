"""`{% demand_projects demand %}`: the box the demand's tracking and public pages show for its projects."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("projects/_demand_projects.html")
def demand_projects(demand: Any) -> dict[str, Any]:
    return {"demand_projects": selectors.projects_for_demand(demand.pk)}
