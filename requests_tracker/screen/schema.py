"""The screen feeds in the OpenAPI schema (a drf-spectacular postprocessing hook).

The feeds are plain Django views, not DRF ones: they answer before DRF (and most middleware) would run,
so that 1,000 lobby screens polling every few seconds cost little (fastpath.py). drf-spectacular only
describes DRF views, so this hook adds the two paths by hand — what a screen or a mini-program reads,
with the conditional request (ETag / If-None-Match → 304) it should make.
"""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_INT = {"type": "integer"}

_FIGURES = {
    "type": "object",
    "description": "The headline figures, as the board and the statistics count them.",
    "properties": {
        "received": _INT,
        "resolved": _INT,
        "in_progress": _INT,
        "waiting": _INT,
        "this_month": _INT,
        "resolution_rate": {"type": "number"},
    },
    "required": ["received", "resolved", "in_progress", "waiting", "resolution_rate"],
}

_DEMAND = {
    "type": "object",
    "properties": {
        "id": _INT,
        "building": _STR,
        "category": _STR,
        "icon": _STR,
        "title": _STR,
        "company": _STR,
        "status": _STR,
        "status_label": _STR,
        "step": _INT,
        "outcome": _STR,
        "support_count": _INT,
        "submitted_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "latest": {"type": "object", "nullable": True, "additionalProperties": True},
    },
    "required": ["id", "title", "status", "step"],
}

_PANEL = {
    "type": "object",
    "description": "A feature's section on the screen (an open survey, an election, the lists).",
    "properties": {"kind": _STR, "key": _STR, "title": _STR, "rows": {"type": "array", "items": {"type": "object"}}},
    "required": ["kind", "title"],
}

_COMMON = {
    "kind": _STR,
    "slug": _STR,
    "name": _STR,
    "council": _STR,
    "figures": _FIGURES,
    "steps": {"type": "array", "items": _STR, "description": "The four workflow steps' labels, in order."},
    "demands": {"type": "array", "items": _DEMAND},
    "panels": {"type": "array", "items": _PANEL},
    "generated_at": {"type": "string", "format": "date-time"},
}

SCREEN_FEED = {
    "type": "object",
    "properties": {**_COMMON, "service_station": _STR, "submit_url": _STR},
    "required": ["kind", "slug", "name", "figures", "steps", "demands", "generated_at"],
}

AREA_FEED = {
    "type": "object",
    "properties": {
        **_COMMON,
        "buildings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "slug": _STR,
                    "name": _STR,
                    "received": _INT,
                    "resolved": _INT,
                    "in_progress": _INT,
                    "waiting": _INT,
                    "resolution_rate": {"type": "number"},
                },
                "required": ["slug", "name", "received", "resolved"],
            },
        },
    },
    "required": ["kind", "slug", "name", "figures", "steps", "buildings", "demands", "generated_at"],
}


def _operation(operation_id: str, summary: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["screen"],
            "security": [{}],
            "parameters": [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
                },
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "The ETag of the last answer: 304 while nothing changed.",
                    "schema": _STR,
                },
            ],
            "responses": {
                "200": {
                    "description": "The screen's data. Poll again with the ETag in If-None-Match.",
                    "headers": {"ETag": {"schema": _STR}},
                    "content": {"application/json": {"schema": schema}},
                },
                "304": {"description": "Nothing changed since the ETag given."},
                "404": {
                    "description": "No such building or area.",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"detail": _STR}, "required": ["detail"]}
                        }
                    },
                },
            },
        }
    }


def add_screen_feeds(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Adds /api/v1/screen/{slug}/ and /api/v1/screen/area/{slug}/ to the generated schema."""
    paths = result.setdefault("paths", {})
    paths["/api/v1/screen/{slug}/"] = _operation(
        "screen_feed",
        "A building's lobby screen",
        "Figures, the latest public demands and their progress, and the features' panels of one building, "
        "anonymous. A change reaches the feed within seconds.",
        SCREEN_FEED,
    )
    paths["/api/v1/screen/area/{slug}/"] = _operation(
        "area_screen_feed",
        "A sub-district's or district's screen",
        "The same for every building of a sub-district or district, with one row per building.",
        AREA_FEED,
    )
    return result
