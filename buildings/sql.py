"""Hand-written SQL that runs on every submission, planned once per connection.

The site's hot fixed statements — the targets of a submission, who hears of it, the tallies it moves —
are short and always the same text. Parsing and planning them cost PostgreSQL more than running them
(EXPLAIN, warm: the audience 0.19 ms planning against 0.05 ms running), so `prepared_cursor()` sends
them as prepared statements: the first execution on a connection prepares (psycopg keeps up to 100 per
connection, by text and parameter types), later ones only bind and run.

Only for statements written here by hand, whose plans are index look-ups by key. The ORM's queries stay
unprepared (Django's default): a generic plan chosen after five runs could be a bad one for the
statistics' and the search's skewed data.

Off with `DATABASE_PREPARED_STATEMENTS=0` (settings.PREPARED_STATEMENTS), e.g. behind PgBouncer in
transaction mode older than 1.21. Other databases get their ordinary cursor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

try:
    import psycopg
except ImportError:  # pragma: no cover - the stack is psycopg 3; SQLite runs without it
    psycopg = None  # type: ignore[assignment]


#: psycopg prepares a statement it has run this many times; with this, only statements run with
#: `prepare=True` are.
ONLY_WHEN_ASKED = 2**31 - 1

if psycopg is not None:
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    class _PreparedCursor(psycopg.Cursor):  # type: ignore[type-arg]
        """Server-side binding, every statement prepared (psycopg's `prepare=True`)."""

        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
        ) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)


def prepared_cursor(connection: BaseDatabaseWrapper = default_connection) -> CursorWrapper:
    """A cursor (use it as a context manager) whose statements are prepared on PostgreSQL with psycopg 3.

    It goes through Django's wrapping like `connection.cursor()`: the health check, database errors
    wrapped, queries logged and counted in tests, `execute_wrapper`s applied. Placeholders are `%s`.
    """
    if psycopg is None or connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django opens connections with preparing off. Only this cursor asks to prepare (the ORM's
            # client-side binding cursors never do), and never by count: the threshold is out of reach.
            connection.connection.prepare_threshold = ONLY_WHEN_ASKED
        raw = _PreparedCursor(connection.connection)
        _same_time_zone(connection, raw)
        return connection._prepare_cursor(raw)  # type: ignore[attr-defined,no-any-return]


def _same_time_zone(connection: BaseDatabaseWrapper, cursor: Any) -> None:
    # As Django's create_cursor: timestamps are read in the connection's time zone.
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:  # type: ignore[attr-defined]
        register_tzloader(connection.timezone, cursor)  # type: ignore[attr-defined]
