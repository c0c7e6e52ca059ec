"""Answers: one response per code or browser, checked against the questions, stored without a trace of who."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Company, User

from .. import access
from ..answers import AnswerErrors, CheckedAnswer, RawAnswer, check_answers
from ..models import (
    Answer,
    InvitationCode,
    Question,
    Receipt,
    Response,
    Survey,
    TextAnswer,
)
from .base import SurveyError, browser_digest, code_digest, normalize_code


def accepting_error(survey: Survey, now: datetime) -> SurveyError | None:
    """Why the survey takes no response now (409 with a reason), or None."""
    if survey.status == Survey.Status.DRAFT:
        return SurveyError(_("This survey is not open yet."), code="not_open")
    if survey.opens_at is not None and now < survey.opens_at:
        local = timezone.localtime(survey.opens_at).strftime("%Y-%m-%d %H:%M")
        return SurveyError(_("This survey opens at %(when)s.") % {"when": local}, code="not_open")
    if access.effective_status(survey, now) != Survey.Status.OPEN:
        return SurveyError(_("This survey is closed: thank you for your interest."), code="closed")
    return None


@transaction.atomic
def survey_respond(
    *,
    survey: Survey,
    answers: list[RawAnswer],
    questions: list[Question] | None = None,
    code: str = "",
    browser_key: str = "",
    at: datetime | None = None,
) -> Response:
    """Stores one anonymous response, or nothing.

    Checks every answer first; then, in one transaction: counts the response on the survey (a
    compare-and-set on "open and within its dates", which also queues racing responses one after
    the other), spends the invitation code or records the browser's receipt, and writes the answers.
    A fixed number of queries whatever the number of questions.
    """
    now = at or timezone.now()
    refusal = accepting_error(survey, now)
    if refusal is not None:
        raise refusal
    if questions is None:
        questions = list(survey.questions.prefetch_related("options"))
    try:
        checked = check_answers(questions, answers)
    except AnswerErrors as exc:
        first = next(iter(exc.errors.values()))
        raise SurveyError(first, code="invalid", errors=exc.errors) from None
    if not checked:
        raise SurveyError(_("Please answer at least one question."), code="invalid")
    by_code = survey.audience == Survey.Audience.CODE
    if by_code and not normalize_code(code):
        raise SurveyError(
            _("This survey is answered with an invitation code: please enter yours."), code="unknown_code"
        )

    counted = (
        Survey.objects.filter(pk=survey.pk, status=Survey.Status.OPEN)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now), Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .update(response_count=F("response_count") + 1)
    )
    if not counted:
        raise SurveyError(_("This survey is closed: thank you for your interest."), code="closed")

    company_id: int | None = None
    receipt = browser_digest(survey, browser_key) if browser_key else ""
    if by_code:
        # The double-tap marker is per browser *and* code: a shared computer may answer with several codes.
        receipt = browser_digest(survey, f"{browser_key}:{normalize_code(code)}") if browser_key else ""
        row = (
            InvitationCode.objects.select_for_update()
            .filter(survey=survey, digest=code_digest(survey, code))
            .values("pk", "used", "revoked", "company_id")
            .first()
        )
        if row is None:
            raise SurveyError(_("This invitation code is not valid for this survey."), code="unknown_code")
        if row["used"] or row["revoked"]:
            if receipt and Receipt.objects.filter(pk=receipt).exists():
                raise SurveyError(_("Your response has already been recorded. Thank you!"), code="answered")
            if row["revoked"]:
                raise SurveyError(_("This invitation code has been withdrawn."), code="used")
            raise SurveyError(_("This invitation code has already been used."), code="used")
        InvitationCode.objects.filter(pk=row["pk"]).update(used=True)
        company_id = row["company_id"]
        if receipt:
            # Only to recognise a double tap (the same code from the same browser) and say "thank you" to it.
            Receipt.objects.bulk_create([Receipt(digest=receipt, survey=survey)], ignore_conflicts=True)
    else:
        if not receipt:
            raise SurveyError(_("Please allow cookies to answer this survey (one response per browser)."))
        try:
            with transaction.atomic():
                Receipt.objects.create(digest=receipt, survey=survey)
        except IntegrityError:
            raise SurveyError(_("Your response has already been recorded. Thank you!"), code="answered") from None

    response = Response(survey=survey, company_id=company_id)
    response.save(force_insert=True)
    rows, texts = _rows(survey, response, checked)
    Answer.objects.bulk_create(rows)
    if texts:
        TextAnswer.objects.bulk_create(texts)
    survey.response_count += 1
    return response


@transaction.atomic
def survey_import(
    *,
    survey: Survey,
    responses: list[list[RawAnswer]],
    actor: User,
    company: Company | None = None,
    scope: ActorScope | None = None,
) -> int:
    """Enters responses collected elsewhere — paper forms, a mini-program's export — all or none.

    Each is checked like an online response (the error names the form and the question); they are
    written in bulk, with the company they came through, and without any marker: the paper is the proof.
    """
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    if survey.status not in (Survey.Status.OPEN, Survey.Status.CLOSED):
        raise SurveyError(_("Responses can be entered only while the survey is open or closed."), code="state")
    if company is not None and survey.building_id is not None and company.building_id != survey.building_id:
        raise SurveyError(_("That company is not a tenant where this survey is held."))
    questions = list(survey.questions.prefetch_related("options"))
    made: list[Response] = []
    rows: list[Answer] = []
    texts: list[TextAnswer] = []
    for number, raw in enumerate(responses, start=1):
        try:
            checked = check_answers(questions, raw)
        except AnswerErrors as exc:
            first = next(iter(exc.errors.values()))
            raise SurveyError(
                _("Form %(number)s: %(error)s") % {"number": number, "error": first}, errors=exc.errors
            ) from None
        response = Response(survey=survey, company=company)
        made.append(response)
        r, t = _rows(survey, response, checked)
        rows += r
        texts += t
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + len(made))
    Response.objects.bulk_create(made, batch_size=1000)
    Answer.objects.bulk_create(rows, batch_size=2000)
    TextAnswer.objects.bulk_create(texts, batch_size=1000)
    survey.response_count += len(made)
    return len(made)


def _rows(survey: Survey, response: Response, checked: list[CheckedAnswer]) -> tuple[list[Answer], list[TextAnswer]]:
    rows: list[Answer] = []
    texts: list[TextAnswer] = []

    def row(question: Question, option_id: int | None = None, value: int | None = None) -> None:
        rows.append(Answer(response=response, survey=survey, question=question, option_id=option_id, value=value))

    for a in checked:
        q = a.question
        if q.kind == Question.Kind.SINGLE:
            row(q, a.option_ids[0])
        elif q.kind == Question.Kind.MULTIPLE:
            row(q)  # "answered": n of the question, whatever the number of picks
            for option_id in a.option_ids:
                row(q, option_id)
        elif q.kind == Question.Kind.RATING:
            row(q, value=a.value)
        elif q.kind == Question.Kind.RANKING:
            row(q)
            for rank, option_id in enumerate(a.ranking, start=1):
                row(q, option_id, rank)
        elif q.kind == Question.Kind.TEXT:
            row(q)
        if a.text:
            texts.append(
                TextAnswer(response=response, survey=survey, question=q, option_id=a.other_option_id, text=a.text)
            )
    return rows, texts
