"""Writes for elections, by stage: base (errors, checks, the council's timeline), setup (draft, candidates,
roll, codes), voting (ballots, paper votes), lifecycle (open, close, cancel, paper totals, lot, certify)."""

from .base import ElectionError
from .lifecycle import (
    close_due_elections,
    close_if_due,
    election_cancel,
    election_certify,
    election_close,
    election_open,
    lot_record,
    paper_totals_confirm,
    paper_totals_enter,
)
from .setup import (
    IssuedCode,
    candidate_add,
    candidate_remove,
    codes_take,
    election_create,
    elector_reissue,
    electors_import,
    electors_issue_anonymous,
)
from .voting import ballot_cast, code_status, elector_mark_paper, voting_window

__all__ = [
    "ElectionError",
    "IssuedCode",
    "ballot_cast",
    "candidate_add",
    "candidate_remove",
    "close_due_elections",
    "close_if_due",
    "code_status",
    "codes_take",
    "election_cancel",
    "election_certify",
    "election_close",
    "election_create",
    "election_open",
    "elector_mark_paper",
    "elector_reissue",
    "electors_import",
    "electors_issue_anonymous",
    "lot_record",
    "paper_totals_confirm",
    "paper_totals_enter",
    "voting_window",
]
