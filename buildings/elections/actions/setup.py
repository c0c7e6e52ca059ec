"""Setting an election up while it is a draft: the election, its candidates, the roll and its codes."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope
from buildings.models import Building, Company, CouncilMember, User
from buildings.photos import clean_photo

from .. import access, codes
from ..models import Candidate, CodeBatch, Election, Elector, RevokedCode
from .base import (
    ElectionError,
    _has_control,
    _lock,
    _require_manager,
    _require_status,
)


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
