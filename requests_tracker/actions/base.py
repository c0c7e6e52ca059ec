"""What every demand action shares: its error, how an actor and an assignee are named on the public
timeline, and the one wording of "someone else changed it first"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from buildings.models import CouncilMember
from services.models import Department

from .. import access, workflow
from ..models import Demand
from ..selectors import ActorScope
from ..workflow import Status


class TransitionError(Exception):
    """A transition that cannot happen; `code` tells why, the message says it to a person."""

    #: "forbidden": the user may not; "invalid_state": not from this status;
    #: "stale": someone else changed the demand first; "invalid": a parameter is missing or wrong.
    code: str = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


@dataclass(frozen=True)
class Assignee:
    member: CouncilMember | None = None
    department: Department | None = None


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _actor_label(scope: ActorScope, demand: Demand) -> str:
    """How the actor appears on the public timeline: a body, never a private person's name."""
    if not scope.is_authenticated:
        return ""
    with override(settings.LANGUAGE_CODE):
        if demand.building_id not in scope.triage_building_ids and (
            demand.assignee_department_id in scope.department_ids
        ):
            return str(demand.assignee_department)
        council = getattr(demand.building, "council", None)
        return str(council or demand.building)


def _status_list(statuses: frozenset[str]) -> str:
    """“已分派、办理中” in Chinese, “assigned or in progress” in English."""
    labels = [str(Status(s).label) for s in workflow.STEPS if s in statuses]
    if (get_language() or "").startswith("zh"):
        return "、".join(labels)
    return str(get_text_list(labels, _("or")))


def _public_assignee_name(assignee: Assignee) -> str:
    """How the assignee is named on the public timeline: a member off the public roster only by role."""
    with override(settings.LANGUAGE_CODE):
        if assignee.member is None:
            return str(assignee.department)
        if assignee.member.is_public:
            return str(assignee.member)
        return assignee.member.get_role_display()


def stale_message(current: Demand | None = None) -> str:
    """The one wording of "someone else changed it first", with the demand's state now when known."""
    if current is None:
        return str(_("This demand was changed by someone else since you opened it. Reload it and try again."))
    return _(
        "Demand #%(id)s was changed by someone else since you saw it; nothing was saved. "
        "It is now %(status)s (version %(version)s)."
    ) % {"id": current.pk, "status": current.get_status_display(), "version": current.version}


def _stale() -> TransitionError:
    return TransitionError(stale_message(), code="stale")


def _require_triager(scope: ActorScope, demand: Demand, message: str) -> None:
    if not access.may_edit(scope, demand):
        raise TransitionError(message, code="forbidden")
