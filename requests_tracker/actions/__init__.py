"""Writes: every change to a demand goes through these functions.

Views, the API, the admin, management commands, tasks and feature packages all call them. Each is
keyword-only and atomic, and ends in one `changes.after_change(...)` call: the demand, its timeline
event and what follows (tallies, screens, outbox rows, feature subscribers) commit together.

- intake.py: demand_submit(_once), demand_support, demand_report_not_solved, demand_follow_by_email
- transitions.py: demand_transition (any row of the workflow table), demand_merge
- editing.py: demand_add_note, demand_moderate, demand_edit, demand_log
- privacy.py: demand_erase_contact (retention, or the submitter's request), contact_reveal (the admin's log),
  demand_delete (a superuser's delete in the admin)
- routing.py: route_new_demand (an intake rule assigns a new demand, as the system router account)
"""

from .base import Assignee, TransitionError, stale_message
from .editing import EDITABLE_FIELDS, demand_add_note, demand_edit, demand_log, demand_moderate
from .intake import (
    NOT_SOLVED_REASON_MAX,
    demand_follow_by_email,
    demand_report_not_solved,
    demand_submit,
    demand_submit_once,
    demand_support,
)
from .privacy import (
    CONTACT_FIELDS,
    ERASED_BY_RETENTION,
    ERASED_BY_SUBMITTER,
    contact_reveal,
    demand_delete,
    demand_erase_contact,
)
from .routing import route_new_demand
from .transitions import demand_merge, demand_transition

__all__ = [
    "CONTACT_FIELDS",
    "EDITABLE_FIELDS",
    "ERASED_BY_RETENTION",
    "ERASED_BY_SUBMITTER",
    "NOT_SOLVED_REASON_MAX",
    "Assignee",
    "TransitionError",
    "contact_reveal",
    "demand_add_note",
    "demand_delete",
    "demand_edit",
    "demand_erase_contact",
    "demand_follow_by_email",
    "demand_log",
    "demand_merge",
    "demand_moderate",
    "demand_report_not_solved",
    "demand_submit",
    "demand_submit_once",
    "demand_support",
    "demand_transition",
    "route_new_demand",
    "stale_message",
]
