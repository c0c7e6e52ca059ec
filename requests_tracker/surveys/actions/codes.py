"""Invitation codes per tenant company: generated in batches, shown once, revocable."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Building, Company, User

from .. import access
from ..models import (
    CodeBatch,
    InvitationCode,
    Survey,
)
from .base import CODE_ALPHABET, CODE_LENGTH, SurveyError, code_digest, normalize_code

MAX_CODES_PER_BATCH = 5000


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@transaction.atomic
def codes_generate(
    *, survey: Survey, company: Company, count: int, actor: User, scope: ActorScope | None = None
) -> tuple[CodeBatch, list[str]]:
    """A batch of single-use codes for one tenant company. The codes are returned once and stored only hashed."""
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    if survey.audience != Survey.Audience.CODE:
        raise SurveyError(_("This survey is open to anyone with the link: it takes no invitation codes."))
    if survey.status not in (Survey.Status.DRAFT, Survey.Status.OPEN):
        raise SurveyError(_("Codes can only be made before the survey closes."), code="state")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_CODES_PER_BATCH:
        raise SurveyError(_("Ask for between 1 and %(max)s codes.") % {"max": MAX_CODES_PER_BATCH})
    in_area = (
        company.building_id == survey.building_id
        if survey.building_id is not None
        else Building.objects.filter(
            pk=company.building_id,
            **({"subdistrict_id": survey.subdistrict_id} if survey.subdistrict_id else {}),
            subdistrict__district_id=survey.district_id,
        ).exists()
    )
    if not in_area:
        raise SurveyError(_("That company is not a tenant where this survey is held."))
    batch = CodeBatch.objects.create(survey=survey, company=company, count=count, created_by=actor)
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = _new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    InvitationCode.objects.bulk_create(
        [
            InvitationCode(
                batch=batch, survey=survey, company=company, digest=code_digest(survey, c), hint=normalize_code(c)[:4]
            )
            for c in codes
        ]
    )
    return batch, codes


@transaction.atomic
def codes_revoke(*, batch: CodeBatch, actor: User, scope: ActorScope | None = None, code: str = "") -> int:
    """Withdraws the unused codes of a batch (or one code of it); returns how many were withdrawn."""
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, batch.survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    codes = InvitationCode.objects.filter(batch=batch, used=False, revoked=False)
    if code:
        codes = codes.filter(digest=code_digest(batch.survey, code))
    return codes.update(revoked=True)
