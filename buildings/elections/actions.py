"""Every write about an election: keyword-only, atomic, compare-and-set where two people act at once.

Errors are `ElectionError`s with a kind the API maps to a status (invalid 400, forbidden 403,
not_found 404, conflict 409) and a message in the user's language; nothing is stored when one is raised.
"""

from __future__ import annotations

import contextlib
import logging
import random
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import panels
from buildings.access import ActorScope, serving_members
from buildings.models import Building, Company, Council, CouncilEvent, CouncilMember, User
from buildings.photos import clean_photo

from . import access, codes, selectors
from .models import Ballot, Candidate, CodeBatch, Election, Elector, RevokedCode

logger = logging.getLogger(__name__)


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


# --- setting up ---------------------------------------------------------------------------------


@transaction.atomic
def election_create(
    *,
    scope: ActorScope,
    actor: User | None,
    building: Building,
    title: str,
    seats: int,
    opens_at: datetime,
    closes_at: datetime,
    role: str = CouncilMember.Role.EMPLOYEE_REPRESENTATIVE,
    min_turnout_percent: int = 0,
    term_years: int = 3,
) -> Election:
    """A draft election for `building`, set up by its captain or district staff."""
    if not access.can_manage_building(scope, building):
        raise ElectionError("not_found", _("No such building."))
    title = (title or "").strip()
    if _has_control(title):
        raise ElectionError("invalid", _("The text contains characters that cannot be stored."), "title")
    if not title:
        raise ElectionError("invalid", _("Give the election a title."), "title")
    if role not in CouncilMember.Role.values:
        raise ElectionError("invalid", _("Unknown council role."), "role")
    if not 1 <= seats <= 50:
        raise ElectionError("invalid", _("Seats must be between 1 and 50."), "seats")
    if not 0 <= min_turnout_percent <= 100:
        raise ElectionError("invalid", _("The minimum turnout is a percentage from 0 to 100."), "min_turnout_percent")
    if not 1 <= term_years <= 10:
        raise ElectionError("invalid", _("A term lasts 1 to 10 years."), "term_years")
    if closes_at <= opens_at:
        raise ElectionError("invalid", _("Voting must close after it opens."), "closes_at")
    return Election.objects.create(
        key=secrets.token_urlsafe(9).replace("_", "x").replace("-", "y"),
        building=building,
        title=title[:200],
        seats=seats,
        role=role,
        term_years=term_years,
        opens_at=opens_at,
        closes_at=closes_at,
        min_turnout_percent=min_turnout_percent,
        order_seed=secrets.token_hex(16),
        created_by=actor,
    )


@transaction.atomic
def candidate_add(
    *,
    scope: ActorScope,
    election: Election,
    name: str,
    company: str = "",
    statement: str = "",
    photo: UploadedFile | None = None,
) -> Candidate:
    """A candidate, while the election is a draft; the photo re-encoded like a demand's."""
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ElectionError("invalid", _("A candidate needs a name (at most 100 characters)."), "name")
    if _has_control(name, company, statement):
        raise ElectionError("invalid", _("The text contains characters that cannot be stored."), "name")
    if len(statement or "") > 1000:
        raise ElectionError("invalid", _("The statement is at most 1000 characters."), "statement")
    candidate = Candidate(election=election, name=name, company=(company or "").strip()[:200], statement=statement)
    if photo is not None:
        try:
            cleaned = clean_photo(photo)
        except ValidationError as exc:
            raise ElectionError("invalid", " ".join(exc.messages), "photo") from exc
        candidate.photo.save(f"{uuid.uuid4().hex}.jpg", cleaned.content, save=False)
    candidate.save()
    return candidate


@transaction.atomic
def candidate_remove(*, scope: ActorScope, election: Election, candidate_id: int) -> None:
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT)
    if not Candidate.objects.filter(election=election, pk=candidate_id).delete()[0]:
        raise ElectionError("not_found", _("No such candidate."))


# --- the roll and its codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    elector: Elector
    company: str
    code: str


def _issue(
    election: Election, rows: list[tuple[Company, str, str]], actor: User | None, keep_for_download: bool
) -> list[IssuedCode]:
    issued = []
    electors = []
    for company, name, ref in rows:
        code = codes.new_code()
        elector = Elector(election=election, company=company, name=name, ref=ref, code_hash=codes.code_hash(code))
        electors.append(elector)
        issued.append(IssuedCode(elector, company.name, code))
    try:
        with transaction.atomic():
            Elector.objects.bulk_create(electors)
    except IntegrityError as exc:  # a concurrent import of the same references
        raise ElectionError("conflict", _("Some of these references are already on the roll.")) from exc
    if keep_for_download:
        by_company: dict[int, list[IssuedCode]] = {}
        for item in issued:
            by_company.setdefault(item.elector.company_id, []).append(item)
        CodeBatch.objects.bulk_create(
            CodeBatch(
                election=election,
                company_id=company_id,
                created_by=actor,
                size=len(items),
                codes=[[i.company, i.elector.ref, i.elector.name, i.code] for i in items],
            )
            for company_id, items in by_company.items()
        )
    return issued


@transaction.atomic
def electors_import(
    *,
    scope: ActorScope,
    actor: User | None,
    election: Election,
    rows: Sequence[Mapping[str, Any]],
    keep_for_download: bool = False,
) -> list[IssuedCode]:
    """Adds named electors (name, company, ref) and issues each a code; refuses the whole file on any bad row."""
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT)
    if not rows:
        raise ElectionError("invalid", _("The list of electors is empty."), "electors")
    companies = {c.name: c for c in Company.objects.filter(building_id=election.building_id)}
    existing = set(Elector.objects.filter(election=election).values_list("company__name", "ref"))
    seen: dict[tuple[str, str], int] = {}
    prepared: list[tuple[Company, str, str]] = []
    for index, row in enumerate(rows, start=1):
        number = row.get("_line") or index  # a file's line number, when the rows came from a file
        name = str(row.get("name") or "").strip()
        company_name = str(row.get("company") or "").strip()
        ref = str(row.get("ref") or "").strip()
        if not name or not company_name or not ref:
            raise ElectionError("invalid", _("Row %(n)s: name, company and reference are all needed.") % {"n": number})
        if _has_control(name, company_name, ref):
            raise ElectionError("invalid", _("Row %(n)s: contains characters that cannot be stored.") % {"n": number})
        if len(name) > 100 or len(ref) > 64:
            raise ElectionError("invalid", _("Row %(n)s: the name or the reference is too long.") % {"n": number})
        company = companies.get(company_name)
        if company is None:
            raise ElectionError(
                "invalid",
                _("Row %(n)s: “%(company)s” is not a tenant company of this building.")
                % {"n": number, "company": company_name},
            )
        key = (company_name, ref)
        if key in seen:
            raise ElectionError(
                "invalid",
                _("Row %(n)s: reference %(ref)s of %(company)s repeats row %(first)s.")
                % {"n": number, "ref": ref, "company": company_name, "first": seen[key]},
            )
        if key in existing:
            raise ElectionError(
                "invalid",
                _("Row %(n)s: reference %(ref)s of %(company)s is already on the roll.")
                % {"n": number, "ref": ref, "company": company_name},
            )
        seen[key] = number
        prepared.append((company, name, ref))
    return _issue(election, prepared, actor, keep_for_download)


@transaction.atomic
def electors_issue_anonymous(
    *,
    scope: ActorScope,
    actor: User | None,
    election: Election,
    company: Company,
    count: int,
    keep_for_download: bool = True,
) -> list[IssuedCode]:
    """A company's headcount as anonymous codes (references A0001, A0002, … after any earlier ones)."""
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT)
    if company.building_id != election.building_id:
        raise ElectionError("invalid", _("That company is not a tenant of this building."), "company")
    if not 1 <= count <= 5000:
        raise ElectionError("invalid", _("Issue between 1 and 5000 codes at a time."), "count")
    taken = Elector.objects.filter(election=election, company=company, ref__startswith="A").count()
    rows = [(company, "", f"A{taken + i:04d}") for i in range(1, count + 1)]
    return _issue(election, rows, actor, keep_for_download)


@transaction.atomic
def elector_reissue(*, scope: ActorScope, actor: User | None, election: Election, elector_id: int) -> IssuedCode:
    """A lost code: the old one stops working (and says so), a new one is issued and shown once."""
    _require_manager(scope, election)
    election = _lock(election)
    _require_status(election, Election.Status.DRAFT, Election.Status.VOTING)
    elector = (
        Elector.objects.select_for_update().select_related("company").filter(election=election, pk=elector_id).first()
    )
    if elector is None:
        raise ElectionError("not_found", _("No such elector."))
    if elector.voted:
        raise ElectionError("conflict", _("This elector has already voted."))
    RevokedCode.objects.create(election=election, code_hash=elector.code_hash)
    code = codes.new_code()
    elector.code_hash = codes.code_hash(code)
    elector.save(update_fields=["code_hash"])
    return IssuedCode(elector, elector.company.name, code)


@transaction.atomic
def codes_take(*, scope: ActorScope, actor: User | None, election: Election, batch_id: int) -> list[list[str]]:
    """The one download of a batch of codes: returns them and forgets them (compare-and-set)."""
    _require_manager(scope, election)
    batch = CodeBatch.objects.select_for_update().filter(election=election, pk=batch_id).first()
    if batch is None:
        raise ElectionError("not_found", _("No such batch of codes."))
    if batch.downloaded_at is not None:
        raise ElectionError("conflict", _("These codes were already downloaded; reissue any code that was lost."))
    taken = list(batch.codes)
    batch.codes = []
    batch.downloaded_at = timezone.now()
    batch.downloaded_by = actor
    batch.save(update_fields=["codes", "downloaded_at", "downloaded_by"])
    return taken


# --- voting ------------------------------------------------------------------------------------------


def _voting_window(election: Election, now: datetime) -> None:
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
    _voting_window(election, now)
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
    _voting_window(election, timezone.now())
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
    _voting_window(election, now or timezone.now())
    if not Elector.objects.filter(election=election, pk=elector_id, voted=Elector.Voted.NO).update(
        voted=Elector.Voted.PAPER
    ):
        if not Elector.objects.filter(election=election, pk=elector_id).exists():
            raise ElectionError("not_found", _("No such elector."))
        raise ElectionError("conflict", _("This elector has already voted."))
    _touch(election)
    return Elector.objects.get(pk=elector_id)


# --- the life of an election -----------------------------------------------------------------------


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


# --- after close: paper totals, the lot, certification -----------------------------------------------


def _seat_or_refuse(scope: ActorScope, election: Election) -> CouncilMember:
    seat = access.council_seat(scope, election)
    if seat is None:
        if access.can_see(scope, election):
            raise ElectionError("forbidden", _("Only members of this building's council enter paper totals."))
        raise _not_found()
    return seat


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
