"""Voting: a ballot (one per code, secret), a code's state, a paper vote marked on the roll."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope

from .. import access, codes
from ..models import Ballot, Candidate, Election, Elector, RevokedCode
from .base import ElectionError, _not_found, _touch


def voting_window(election: Election, now: datetime) -> None:
    if election.status == Election.Status.DRAFT or (
        election.status == Election.Status.VOTING and now < election.opens_at
    ):
        raise ElectionError("conflict", _("Voting has not opened yet."))
    if election.status != Election.Status.VOTING or now >= election.closes_at:
        raise ElectionError("conflict", _("Voting has closed."))


def _lock_shared(election_id: int) -> Election:
    """Reads the election under a shared lock on PostgreSQL: ballots run side by side, a close waits for them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM elections_election WHERE id = %s FOR SHARE", [election_id])
    return Election.objects.get(pk=election_id)


@transaction.atomic
def ballot_cast(*, election: Election, code: str, candidate_ids: Iterable[Any], now: datetime | None = None) -> str:
    """One ballot per code: marks the roll and drops the ballot in the box, together; returns the receipt."""
    now = now or timezone.now()
    election = _lock_shared(election.pk)
    voting_window(election, now)
    try:
        chosen = [int(c) for c in candidate_ids]
    except (TypeError, ValueError) as exc:
        raise ElectionError("invalid", _("Candidates are given by their numbers."), "candidates") from exc
    if len(set(chosen)) != len(chosen):
        raise ElectionError("invalid", _("A candidate can be chosen only once."), "candidates")
    if len(chosen) > election.seats:
        raise ElectionError(
            "invalid", _("Choose at most %(seats)s candidates.") % {"seats": election.seats}, "candidates"
        )
    valid = set(Candidate.objects.filter(election=election).values_list("pk", flat=True))
    if not set(chosen) <= valid:
        raise ElectionError("invalid", _("That candidate does not stand in this election."), "candidates")
    if not codes.well_formed(code):
        raise ElectionError("forbidden", _("This voting code is not known. Check it against your slip."), "code")
    hashed = codes.code_hash(code)
    # The compare-and-set: of two requests with the same code, exactly one changes the row.
    marked = Elector.objects.filter(election=election, code_hash=hashed, voted=Elector.Voted.NO).update(
        voted=Elector.Voted.ONLINE
    )
    if marked != 1:
        _refuse_code(election, hashed)
    receipt = codes.new_receipt()
    Ballot.objects.create(
        id=uuid.uuid4(), election=election, choices=sorted(chosen), receipt_hash=codes.receipt_hash(receipt)
    )
    _touch(election)
    return receipt


def _refuse_code(election: Election, hashed: str) -> None:
    elector = Elector.objects.filter(election=election, code_hash=hashed).values_list("voted", flat=True).first()
    if elector == Elector.Voted.PAPER:
        raise ElectionError("conflict", _("This code's elector has voted on paper."), "code")
    if elector is not None:
        raise ElectionError("conflict", _("This code has already been used to vote."), "code")
    if RevokedCode.objects.filter(election=election, code_hash=hashed).exists():
        raise ElectionError("conflict", _("This code was revoked and replaced by a new one."), "code")
    raise ElectionError("forbidden", _("This voting code is not known. Check it against your slip."), "code")


def code_status(*, election: Election, code: str) -> None:
    """Checks a code before the voter picks candidates (no write); raises what casting would raise."""
    voting_window(election, timezone.now())
    if not codes.well_formed(code):
        raise ElectionError("forbidden", _("This voting code is not known. Check it against your slip."), "code")
    hashed = codes.code_hash(code)
    if not Elector.objects.filter(election=election, code_hash=hashed, voted=Elector.Voted.NO).exists():
        _refuse_code(election, hashed)


@transaction.atomic
def elector_mark_paper(
    *, scope: ActorScope, election: Election, elector_id: int, now: datetime | None = None
) -> Elector:
    """An elector who votes on paper in the lobby: marked on the roll, so their code stops working."""
    if not access.can_mark_paper(scope, election):
        raise _not_found()
    election = _lock_shared(election.pk)
    voting_window(election, now or timezone.now())
    if not Elector.objects.filter(election=election, pk=elector_id, voted=Elector.Voted.NO).update(
        voted=Elector.Voted.PAPER
    ):
        if not Elector.objects.filter(election=election, pk=elector_id).exists():
            raise ElectionError("not_found", _("No such elector."))
        raise ElectionError("conflict", _("This elector has already voted."))
    _touch(election)
    return Elector.objects.get(pk=elector_id)
