"""What every election write shares: its error, the scope and status checks, the row lock, the council's timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import panels
from buildings.access import ActorScope
from buildings.models import Council, CouncilEvent, CouncilMember, User

from .. import access
from ..models import Election


class ElectionError(Exception):
    STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}

    def __init__(self, kind: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        return self.STATUS[self.kind]


def _not_found() -> ElectionError:
    return ElectionError("not_found", _("No such election."))


def _require_manager(scope: ActorScope, election: Election) -> None:
    if not access.can_manage(scope, election):
        # Another building's election is not there at all for this user.
        raise _not_found()


def _require_status(election: Election, *allowed: str) -> None:
    if election.status not in allowed:
        raise ElectionError(
            "conflict",
            _("This election is %(status)s: that cannot be done now.") % {"status": election.get_status_display()},
        )


def _lock(election: Election) -> Election:
    """Re-reads the election under a row lock: the state every check below relies on cannot move."""
    return Election.objects.select_for_update().select_related("building__subdistrict").get(pk=election.pk)


def _has_control(*texts: str | None) -> bool:
    """NUL and other control characters (bar tab and newlines), which PostgreSQL refuses or nobody means."""
    return any(ch < " " and ch not in "\t\r\n" for text in texts for ch in (text or ""))


def _touch(election: Election) -> None:
    building_id = election.building_id
    transaction.on_commit(lambda: panels.touch(building_id))


def _seat_or_refuse(scope: ActorScope, election: Election) -> CouncilMember:
    seat = access.council_seat(scope, election)
    if seat is None:
        if access.can_see(scope, election):
            raise ElectionError("forbidden", _("Only members of this building's council enter paper totals."))
        raise _not_found()
    return seat


def _council_log(
    election: Election,
    kind: str,
    actor: User | None,
    note: str,
    member: CouncilMember | None = None,
    at: datetime | None = None,
    **data: Any,
) -> None:
    council, _created = Council.objects.get_or_create(building_id=election.building_id)
    CouncilEvent.objects.create(
        council=council,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        member=member,
        note=note[:500],
        data={"election": election.key, **data},
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
