"""Projects for tests: made through the actions, as a captain would."""

from __future__ import annotations

from typing import Any

from requests_tracker.projects import actions
from requests_tracker.projects.models import Project
from tests import factories


def make_project(cast: factories.Cast, *, building: Any = None, by: Any = None, **kwargs: Any) -> Project:
    params: dict[str, Any] = {"title": "1F 2号门智能加热外卖柜", "description": "外卖柜"}
    params.update(kwargs)
    return actions.project_create(actor=by or cast.captain_a, buildings=[building or cast.tower_a], **params)
