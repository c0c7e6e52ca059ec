"""Who on a building's council hears of its demands, read in one fixed SQL statement (#15).

Every submission (and every reopening and escalation) asks the same question — the serving holders of
some roles on the building's council with an active account, whether each has opted out of e-mail, and
whether the council has an active webhook — so it is written once as SQL instead of being compiled by
the ORM on every request: the ORM's version (two `Exists` annotations and `select_related`) cost more
Python to build than the database took to answer it.

The rule is `buildings.access.serving_members` (a term covers today when it has no start or started on
or before today, and has no end or ends on or after today, both ends included), held equal to it by
tests/requests_tracker/test_submit_round_trips.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection

from buildings.models import Council, CouncilMember, User
from buildings.sql import prepared_cursor

from ..models import Channel, ChannelOptOut, WebhookEndpoint


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _sql(n_roles: int) -> str:
    # Identifiers come from the models' metadata; every value is a parameter. The council is the
    # outer row, so a council with no serving captain still answers whether it has webhooks.
    roles = ", ".join(["%s"] * n_roles)
    return (
        "SELECT u.id, u.email, u.language, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {_table(ChannelOptOut)} o WHERE o.user_id = u.id AND o.channel = %s), "
        f"EXISTS (SELECT 1 FROM {_table(WebhookEndpoint)} w WHERE w.council_id = c.id AND w.is_active) "
        f"FROM {_table(Council)} c "
        f"LEFT JOIN ({_table(CouncilMember)} m JOIN {_table(User)} u ON u.id = m.user_id AND u.is_active) "
        f"ON m.council_id = c.id AND m.role IN ({roles}) "
        "AND (m.term_start IS NULL OR m.term_start <= %s) AND (m.term_end IS NULL OR m.term_end >= %s) "
        "WHERE c.building_id = %s "
        "ORDER BY m.role, m.id"
    )


def council_audience(building_id: int, roles: Iterable[str], today: date) -> tuple[list[User], bool]:
    """(the serving holders of `roles` with an active account, each with `email_opted_out` set; whether
    the council has an active webhook). A building without a council: ([], False)."""
    roles = tuple(roles)
    if not roles:
        return [], False
    with prepared_cursor() as cursor:
        cursor.execute(_sql(len(roles)), [Channel.EMAIL, *roles, today, today, building_id])
        rows = cursor.fetchall()
    users: dict[int, User] = {}
    has_webhooks = False
    for user_id, email, language, opted_out, webhooks in rows:
        has_webhooks = has_webhooks or bool(webhooks)
        if user_id is None or user_id in users:
            continue
        user = User(id=user_id, email=email, language=language)
        user.email_opted_out = bool(opted_out)  # type: ignore[attr-defined]
        users[user_id] = user
    return list(users.values()), has_webhooks
