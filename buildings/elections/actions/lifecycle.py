"""An election's course after setup: open, close (ballots resealed), cancel, paper totals, lot, certify."""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope, serving_members
from buildings.models import Company, Council, CouncilEvent, CouncilMember, User

from .. import selectors
from ..models import Ballot, Candidate, Election, Elector
from .base import (
    ElectionError,
    _add_years,
    _council_log,
    _has_control,
    _lock,
    _require_manager,
    _require_status,
    _seat_or_refuse,
    _touch,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def election_open(*, scope: ActorScope, election: Election, now: datetime | None = None) -> Election:
    """Draft → voting, not before `opens_at`, with candidates and a roll."""
    now = now or timezone.now()
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT)
    if now < election.opens_at:
        raise ElectionError("conflict", _("Voting cannot open before the announced time."))
    if now >= election.closes_at:
        raise ElectionError("conflict", _("The announced closing time has passed."))
    if not Candidate.objects.filter(election=election).exists():
        raise ElectionError("conflict", _("The election has no candidates yet."))
    if not Elector.objects.filter(election=election).exists():
        raise ElectionError("conflict", _("The roll of electors is empty."))
    election.status = Election.Status.VOTING
    election.save(update_fields=["status"])
    _touch(election)
    return election


@transaction.atomic
def election_close(*, scope: ActorScope | None, election: Election, now: datetime | None = None) -> Election:
    """Voting → closed (or void below the minimum turnout); early closing allowed. `scope=None`: the clock."""
    now = now or timezone.now()
    if scope is not None:
        _require_manager(scope, election)
    election = _lock(election)  # waits for ballots in flight (they hold a shared lock)
    _require_status(election, Election.Status.VOTING)
    if scope is None and now < election.closes_at:
        raise ElectionError("conflict", _("Voting is still open."))
    turnout = selectors.turnout(election)
    election.status = Election.Status.CLOSED
    election.closed_at = min(now, election.closes_at)
    if turnout.electors and 100 * turnout.voted < election.min_turnout_percent * turnout.electors:
        election.status = Election.Status.VOID
        election.void_reason = _("Turnout %(turnout)s%% fell short of the minimum of %(minimum)s%%.") % {
            "turnout": turnout.percent,
            "minimum": election.min_turnout_percent,
        }
    election.save(update_fields=["status", "closed_at", "void_reason"])
    _reseal(election)
    if election.status == Election.Status.VOID:
        _council_log(election, CouncilEvent.Kind.ELECTION_VOID, None, election.void_reason, at=now)
    _touch(election)
    return election


def _reseal(election: Election) -> None:
    """Rewrites the ballot box in a random order under this one transaction.

    While voting, a ballot and the roll line it marked were written by the same transaction, which
    PostgreSQL can tell (xmin) and whose rows lie in the order they came (ctid). After this, every
    ballot carries the closing transaction's id and sits at a random place: nothing is left to match.
    """
    rows = list(Ballot.objects.filter(election=election).values_list("id", "choices", "receipt_hash"))
    random.SystemRandom().shuffle(rows)
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        [Ballot(id=i, election=election, choices=c, receipt_hash=r) for i, c, r in rows], batch_size=500
    )
    if connection.vendor == "postgresql":
        # The old row versions (still carrying the voting transactions' ids) stay in the table as dead
        # tuples until a vacuum: clear them right after the commit rather than whenever autovacuum runs.
        transaction.on_commit(_vacuum_ballots)


def _vacuum_ballots() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Ballot._meta.db_table}")
    except Exception:  # best effort: autovacuum gets there anyway
        logger.warning("VACUUM of the ballot table after close failed", exc_info=True)


def close_due_elections(now: datetime | None = None) -> int:
    """Closes every election whose voting time is over (run by Celery beat and on page views)."""
    now = now or timezone.now()
    closed = 0
    for election in Election.objects.filter(status=Election.Status.VOTING, closes_at__lte=now):
        try:
            election_close(scope=None, election=election, now=now)
            closed += 1
        except ElectionError:
            pass  # closed by someone else in the meantime
    return closed


def close_if_due(election: Election, now: datetime | None = None) -> Election:
    now = now or timezone.now()
    if election.status == Election.Status.VOTING and now >= election.closes_at:
        with contextlib.suppress(ElectionError):  # closed by someone else in the meantime
            election_close(scope=None, election=election, now=now)
        return selectors.election_queryset().get(pk=election.pk)
    return election


@transaction.atomic
def election_cancel(*, scope: ActorScope, election: Election, reason: str) -> Election:
    """Void, with a reason, from any state before certification."""
    _require_manager(scope, election)
    reason = (reason or "").strip()
    if _has_control(reason):
        raise ElectionError("invalid", _("The text contains characters that cannot be stored."), "reason")
    if not reason:
        raise ElectionError("invalid", _("Say why the election is cancelled."), "reason")
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT, Election.Status.VOTING, Election.Status.CLOSED)
    election.status = Election.Status.VOID
    election.void_reason = _("Cancelled: %(reason)s") % {"reason": reason[:280]}
    election.save(update_fields=["status", "void_reason"])
    _council_log(election, CouncilEvent.Kind.ELECTION_VOID, None, election.void_reason)
    _touch(election)
    return election


@transaction.atomic
def paper_totals_enter(*, scope: ActorScope, election: Election, totals: Mapping[Any, Any]) -> Election:
    """The paper count per candidate, entered by one council member; it counts once a second confirms it."""
    seat = _seat_or_refuse(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.CLOSED)
    valid = set(Candidate.objects.filter(election=election).values_list("pk", flat=True))
    try:
        clean = {int(k): int(v) for k, v in totals.items()}
    except (TypeError, ValueError, AttributeError) as exc:
        raise ElectionError("invalid", _("Totals are whole numbers per candidate."), "totals") from exc
    if not set(clean) <= valid:
        raise ElectionError("invalid", _("That candidate does not stand in this election."), "totals")
    if any(v < 0 for v in clean.values()):
        raise ElectionError("invalid", _("Totals are whole numbers per candidate."), "totals")
    paper_voters = Elector.objects.filter(election=election, voted=Elector.Voted.PAPER).count()
    if sum(clean.values()) > paper_voters * election.seats:
        raise ElectionError(
            "invalid",
            _("%(voters)s electors voted on paper: the totals cannot exceed %(max)s votes.")
            % {"voters": paper_voters, "max": paper_voters * election.seats},
            "totals",
        )
    if any(v > paper_voters for v in clean.values()):
        raise ElectionError("invalid", _("No candidate can have more paper votes than paper voters."), "totals")
    election.paper_totals = {str(k): v for k, v in sorted(clean.items())}
    election.paper_entered_by = seat
    election.paper_confirmed_by = None
    election.save(update_fields=["paper_totals", "paper_entered_by", "paper_confirmed_by"])
    return election


@transaction.atomic
def paper_totals_confirm(*, scope: ActorScope, election: Election) -> Election:
    """A second council member confirms the paper totals the first entered."""
    seat = _seat_or_refuse(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.CLOSED)
    if election.paper_entered_by_id is None:
        raise ElectionError("conflict", _("No paper totals have been entered yet."))
    if election.paper_confirmed_by_id is not None:
        raise ElectionError("conflict", _("The paper totals are already confirmed."))
    entered_by = CouncilMember.objects.filter(pk=election.paper_entered_by_id).values_list("user_id", flat=True).first()
    if seat.pk == election.paper_entered_by_id or (seat.user_id and seat.user_id == entered_by):
        raise ElectionError(
            "forbidden", _("A second council member must confirm the totals, not the one who entered them.")
        )
    election.paper_confirmed_by = seat
    election.save(update_fields=["paper_confirmed_by"])
    return election


@transaction.atomic
def lot_record(*, scope: ActorScope, election: Election, order: Sequence[Any], note: str) -> Election:
    """The lot the council drew for a tie at the last seat: the tied candidates in the order drawn."""
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.CLOSED)
    try:
        ids = [int(i) for i in order]
    except (TypeError, ValueError) as exc:
        raise ElectionError("invalid", _("The lot lists candidates by their numbers."), "order") from exc
    valid = set(Candidate.objects.filter(election=election).values_list("pk", flat=True))
    if len(set(ids)) != len(ids) or not set(ids) <= valid or not ids:
        raise ElectionError("invalid", _("The lot lists this election's candidates, each once."), "order")
    if not (note or "").strip():
        raise ElectionError("invalid", _("Record how and by whom the lot was drawn."), "note")
    if _has_control(note):
        raise ElectionError("invalid", _("The text contains characters that cannot be stored."), "note")
    election.lot_order = ids
    election.lot_note = note.strip()[:300]
    election.save(update_fields=["lot_order", "lot_note"])
    return election


@transaction.atomic
def election_certify(
    *, scope: ActorScope, actor: User | None, election: Election, now: datetime | None = None
) -> Election:
    """Closed → certified: the elected join the council today, the members whose seats were up leave yesterday."""
    now = now or timezone.now()
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.CLOSED)
    result = selectors.results(election)
    if result.paper_voters and not result.paper_confirmed:
        raise ElectionError(
            "conflict", _("The paper totals must be entered and confirmed by two council members first.")
        )
    if result.needs_lot:
        raise ElectionError(
            "conflict", _("There is a tie for the last seat: record the lot drawn by the council first.")
        )
    today = timezone.localdate(now)
    council, _created = Council.objects.get_or_create(building_id=election.building_id)
    companies = {c.name: c for c in Company.objects.filter(building_id=election.building_id)}
    # The seats that were up: everyone serving today in the role this election fills.
    up = list(serving_members(today).filter(council=council, role=election.role).select_for_update())
    for member in up:
        member.term_end = today - timedelta(days=1) if member.term_start is None or member.term_start < today else today
        member.save(update_fields=["term_end"])
        _council_log(
            election,
            CouncilEvent.Kind.TERM_ENDED,
            actor,
            _("%(name)s's term as %(role)s ended: the seat was up in “%(title)s”.")
            % {"name": member.display_name, "role": member.get_role_display(), "title": election.title},
            member,
            at=now,
        )
    election.ended_members.set(up)
    term_end = _add_years(today, election.term_years) - timedelta(days=1)
    elected = result.elected
    for row in elected:
        member = CouncilMember.objects.create(
            council=council,
            display_name=row.candidate.name,
            role=election.role,
            company=companies.get(row.candidate.company),
            term_start=today,
            term_end=term_end,
            is_public=True,
        )
        _council_log(
            election,
            CouncilEvent.Kind.MEMBER_ELECTED,
            actor,
            _("%(name)s elected %(role)s with %(votes)s votes in “%(title)s”.")
            % {
                "name": row.candidate.name,
                "role": member.get_role_display(),
                "votes": row.votes,
                "title": election.title,
            },
            member,
            at=now,
            votes=row.votes,
        )
    _council_log(
        election,
        CouncilEvent.Kind.ELECTION_CERTIFIED,
        actor,
        _("“%(title)s” certified: turnout %(voted)s of %(electors)s; elected: %(names)s.")
        % {
            "title": election.title,
            "voted": result.turnout.voted,
            "electors": result.turnout.electors,
            "names": "、".join(r.candidate.name for r in elected) or "—",
        },
        at=now,
    )
    election.status = Election.Status.CERTIFIED
    election.certified_at = now
    election.certified_by = actor
    election.save(update_fields=["status", "certified_at", "certified_by"])
    _touch(election)
    return election
