"""Who may use the surveys' admin pages (the access module, asked once per request)."""

from __future__ import annotations

from django.http import HttpRequest

from buildings.access import ActorScope, actor_scope

from .. import access


def _scope(request: HttpRequest) -> ActorScope:
    return actor_scope(request.user)  # type: ignore[arg-type]


def _staff_reader(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff and access.is_staff_reader(_scope(request)))
