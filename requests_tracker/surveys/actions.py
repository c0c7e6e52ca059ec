"""Writes for surveys: build, open, close, publish, answer, invitation codes, moderation, "make it a demand".

Every function is keyword-only and atomic. State changes are compare-and-set on the status (two
council members clicking at once: one wins, the other gets a clear refusal). Demands are only ever
written through `requests_tracker.actions`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import panels
from buildings.access import ActorScope, actor_scope
from buildings.models import Building, Company, District, Subdistrict, User
from requests_tracker import actions as demand_actions
from requests_tracker.models import Category, Demand, DemandEvent

from . import access
from .answers import CheckedAnswer, RawAnswer, check_answers
from .models import (
    Answer,
    CodeBatch,
    InvitationCode,
    Option,
    Question,
    Receipt,
    Response,
    Survey,
    TextAnswer,
)

MAX_QUESTIONS = 60
MAX_OPTIONS = 30
MAX_CODES_PER_BATCH = 5000
#: Codes use an alphabet without look-alikes (no 0/O, 1/I/L): 31^12 ≈ 2^59 possible codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


class SurveyError(Exception):
    """A refusal with a reason for a person; `code` picks the HTTP status.

    forbidden (403/404), invalid (400), not_open / closed / used / answered / state (409), unknown_code (403).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        errors: dict[int, str] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        #: per question id (answering); per field name (building a survey)
        self.errors = errors or {}
        self.fields = fields or {}


# --- building a survey ------------------------------------------------------------------------


@dataclass
class OptionSpec:
    text: str
    text_en: str = ""


@dataclass
class QuestionSpec:
    kind: str
    text: str
    text_en: str = ""
    required: bool = False
    long_text: bool = False
    max_choices: int | None = None
    other: bool = False
    options: list[OptionSpec] = field(default_factory=list)
    #: (index of an earlier question, index of its option): shown only when that option was picked.
    show_if: tuple[int, int] | None = None


def _check_specs(questions: list[QuestionSpec]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not questions:
        errors["questions"] = _("A survey needs at least one question.")
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = _("At most %(max)s questions.") % {"max": MAX_QUESTIONS}
    for i, q in enumerate(questions):
        where = _("Question %(number)s") % {"number": i + 1}
        if q.kind not in Question.Kind.values:
            errors[f"questions[{i}]"] = _("%(where)s: unknown kind “%(kind)s”.") % {"where": where, "kind": q.kind}
            continue
        if not q.text.strip():
            errors[f"questions[{i}].text"] = _("%(where)s has no text.") % {"where": where}
        n_options = len(q.options)
        if q.kind in Question.OPTION_KINDS and n_options < 2:
            errors[f"questions[{i}].options"] = _("%(where)s needs at least two options.") % {"where": where}
        if q.kind not in Question.OPTION_KINDS and n_options:
            errors[f"questions[{i}].options"] = _("%(where)s takes no options.") % {"where": where}
        if n_options > MAX_OPTIONS:
            errors[f"questions[{i}].options"] = _("%(where)s: at most %(max)s options.") % {
                "where": where,
                "max": MAX_OPTIONS,
            }
        if any(not o.text.strip() for o in q.options):
            errors[f"questions[{i}].options"] = _("%(where)s has an empty option.") % {"where": where}
        if q.other and q.kind not in Question.CHOICE_KINDS:
            errors[f"questions[{i}].other"] = _("%(where)s: only choice questions take “other”.") % {"where": where}
        if q.max_choices is not None and (
            q.kind != Question.Kind.MULTIPLE or not 1 <= q.max_choices <= n_options + int(q.other)
        ):
            errors[f"questions[{i}].max_choices"] = _(
                "%(where)s: a maximum of choices fits only a multiple-choice question, between 1 and its options."
            ) % {"where": where}
        if q.show_if is not None:
            qi, oi = q.show_if
            target = questions[qi] if 0 <= qi < i else None
            if (
                target is None
                or target.kind not in Question.CHOICE_KINDS
                or target.show_if is not None
                or not 0 <= oi < len(target.options)
            ):
                errors[f"questions[{i}].show_if"] = _(
                    "%(where)s: a condition must name an option of an earlier choice question that has no "
                    "condition itself."
                ) % {"where": where}
    return errors


def _place(
    *, building: Building | None, subdistrict: Subdistrict | None, district: District | None
) -> tuple[Building | None, Subdistrict | None, District]:
    if building is not None:
        return building, building.subdistrict, building.subdistrict.district
    if subdistrict is not None:
        return None, subdistrict, subdistrict.district
    if district is not None:
        return None, None, district
    raise SurveyError(_("Say which building, sub-district or district the survey is for."))


@transaction.atomic
def survey_create(
    *,
    actor: User,
    title: str,
    questions: list[QuestionSpec],
    building: Building | None = None,
    subdistrict: Subdistrict | None = None,
    district: District | None = None,
    intro: str = "",
    title_en: str = "",
    intro_en: str = "",
    audience: str = Survey.Audience.OPEN,
    results: str = Survey.Results.AFTER_CLOSE,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    demands: list[Demand] | None = None,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Survey:
    """A draft survey with its questions, made by someone who may build one there; nothing written if refused."""
    scope = scope or actor_scope(actor)
    building, subdistrict, district_obj = _place(building=building, subdistrict=subdistrict, district=district)
    if not access.can_create(scope, building_id=building.pk if building else None, district_id=district_obj.pk):
        raise SurveyError(_("You may not build a survey there."), code="forbidden")
    errors = _check_specs(questions)
    if not title.strip():
        errors["title"] = _("Please give the survey a title.")
    if audience not in Survey.Audience.values:
        errors["audience"] = _("Unknown audience.")
    if results not in Survey.Results.values:
        errors["results"] = _("Unknown results setting.")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    for demand in demands or []:
        if building is not None and demand.building_id != building.pk:
            errors["demands"] = _("A linked demand must be of the survey's building.")
    if errors:
        raise SurveyError(next(iter(errors.values())), code="invalid", fields=errors)
    survey = Survey.objects.create(
        district=district_obj,
        subdistrict=subdistrict,
        building=building,
        title=title.strip(),
        title_en=title_en.strip(),
        intro=intro.strip(),
        intro_en=intro_en.strip(),
        audience=audience,
        results_visibility=results,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    made: list[tuple[Question, list[Option]]] = []
    for position, spec in enumerate(questions):
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=spec.kind,
            text=spec.text.strip(),
            text_en=spec.text_en.strip(),
            required=spec.required and spec.kind != Question.Kind.HEADING,
            long_text=spec.long_text,
            max_choices=spec.max_choices,
        )
        option_rows = [
            Option(question=question, position=i, text=o.text.strip(), text_en=o.text_en.strip())
            for i, o in enumerate(spec.options)
        ]
        if spec.other:
            option_rows.append(
                Option(
                    question=question, position=len(option_rows), text="其他（请说明）", text_en="Other", is_other=True
                )
            )
        made.append((question, Option.objects.bulk_create(option_rows)))
    for (question, _options), spec in zip(made, questions, strict=True):
        if spec.show_if is not None:
            qi, oi = spec.show_if
            question.show_if = made[qi][1][oi]
            question.save(update_fields=["show_if"])
    for demand in demands or []:
        survey_link_demand(survey=survey, demand=demand, actor=actor, scope=scope, at=at)
    return survey


@transaction.atomic
def survey_link_demand(
    *, survey: Survey, demand: Demand, actor: User, scope: ActorScope | None = None, at: datetime | None = None
) -> None:
    """Links the demand that prompted the survey, and says so on the demand's timeline."""
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    if survey.demands.filter(pk=demand.pk).exists():
        return
    survey.demands.add(demand)
    demand_actions.demand_log(
        demand=demand,
        kind=DemandEvent.Kind.SURVEY_LINKED,
        actor=actor,
        actor_label=_council_label(survey),
        note=_("The council asked the building about it in a survey: %(title)s") % {"title": survey.title},
        data={"survey": survey.key, "title": survey.title, "role": "prompted"},
        at=at,
    )


def _council_label(survey: Survey) -> str:
    if survey.building is not None:
        council = getattr(survey.building, "council", None)
        return str(council or survey.building)
    return str(survey.subdistrict or survey.district)


# --- the life of a survey -----------------------------------------------------------------------

_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "open": ((Survey.Status.DRAFT,), Survey.Status.OPEN),
    "close": ((Survey.Status.OPEN,), Survey.Status.CLOSED),
    "publish": ((Survey.Status.CLOSED,), Survey.Status.PUBLISHED),
}


@transaction.atomic
def survey_move(
    *, survey: Survey, move: str, actor: User, scope: ActorScope | None = None, at: datetime | None = None
) -> Survey:
    """open (draft → open), close (open → closed, early or on time), publish (closed → published).

    A compare-and-set on the status: of two people acting at once one wins, the other is refused.
    """
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    now = at or timezone.now()
    allowed_from, to = _MOVES[move]
    current = access.effective_status(survey, now)
    if move == "publish" and survey.status == Survey.Status.OPEN and current == Survey.Status.CLOSED:
        allowed_from = (Survey.Status.OPEN,)  # closed by its date: publishing is allowed straight away
    elif survey.status not in allowed_from:
        raise SurveyError(
            _("This survey is %(status)s: it cannot do that now.") % {"status": _status_label(current)}, code="state"
        )
    changes: dict[str, Any] = {"status": to}
    if move == "open" and not survey.questions.exclude(kind=Question.Kind.HEADING).exists():
        raise SurveyError(_("A survey needs at least one question before it opens."), code="state")
    if move == "close":
        changes["closed_at"] = now
    if move == "publish":
        if survey.results_visibility == Survey.Results.NEVER:
            raise SurveyError(
                _("This survey's results are set to never be public; change that setting before publishing."),
                code="state",
            )
        changes["published_at"] = now
        if survey.closed_at is None:
            changes["closed_at"] = survey.closes_at or now
    if not Survey.objects.filter(pk=survey.pk, status__in=allowed_from).update(**changes):
        raise SurveyError(_("Someone else changed this survey first. Reload and try again."), code="state")
    for name, value in changes.items():
        setattr(survey, name, value)
    _touch(survey)
    return survey


def _status_label(status: str) -> str:
    return str(Survey.Status(status).label)


def _touch(survey: Survey) -> None:
    """The board and the screens show open surveys and published results: tell them after commit."""
    if survey.building_id is not None:
        building_id = survey.building_id
        transaction.on_commit(lambda: panels.touch(building_id))


# --- answering ----------------------------------------------------------------------------------


def _digest(purpose: str, survey: Survey, secret: str) -> str:
    message = f"lousihui.surveys.{purpose}:{survey.key}:{secret}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(survey: Survey, code: str) -> str:
    return _digest("code", survey, normalize_code(code))


def browser_digest(survey: Survey, browser_key: str) -> str:
    return _digest("browser", survey, browser_key)


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
    from .answers import AnswerErrors

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
    from .answers import AnswerErrors

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


# --- invitation codes -----------------------------------------------------------------------------


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


# --- free text: moderation and "make it a demand" ------------------------------------------------


@transaction.atomic
def text_moderate(
    *, text: TextAnswer, show: bool, actor: User, reason: str = "", scope: ActorScope | None = None
) -> TextAnswer:
    """Shows a free-text answer, or hides it with a reason; the words as written are always kept."""
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, text.survey):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    reason = reason.strip()
    if not show and not reason:
        raise SurveyError(_("Say why the answer is hidden."))
    text.status = TextAnswer.Status.SHOWN if show else TextAnswer.Status.HIDDEN
    text.hidden_reason = "" if show else reason[:300]
    text.moderated_by = actor
    TextAnswer.objects.filter(pk=text.pk).update(
        status=text.status, hidden_reason=text.hidden_reason, moderated_by=actor
    )
    return text


@transaction.atomic
def texts_show(*, texts: list[TextAnswer], actor: User, scope: ActorScope | None = None) -> int:
    """Shows several free-text answers at once (one UPDATE); refused as a whole if any is not the user's."""
    scope = scope or actor_scope(actor)
    surveys = {t.survey_id: t.survey for t in texts}
    if not all(access.can_manage(scope, s) for s in surveys.values()):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    return TextAnswer.objects.filter(pk__in=[t.pk for t in texts]).update(
        status=TextAnswer.Status.SHOWN, hidden_reason="", moderated_by=actor
    )


@transaction.atomic
def text_to_demand(
    *,
    text: TextAnswer,
    category: Category,
    actor: User,
    title: str = "",
    building: Building | None = None,
    is_public: bool = True,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Turns a suggestion into a demand (channel “survey”), linked both ways; once per answer."""
    scope = scope or actor_scope(actor)
    survey = text.survey
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    building = building or survey.building
    if building is None:
        raise SurveyError(_("Say which building the demand is for."))
    if survey.building_id is None and building.subdistrict.district_id != survey.district_id:
        raise SurveyError(_("That building is not part of this survey's area."))
    # Claim the answer first: of two moderators clicking at once, only one makes a demand.
    if not TextAnswer.objects.filter(pk=text.pk, demand__isnull=True).exclude(status=TextAnswer.Status.HIDDEN).exists():
        raise SurveyError(_("This answer is hidden or has already been made into a demand."), code="state")
    locked = TextAnswer.objects.select_for_update().get(pk=text.pk)
    if locked.demand_id is not None:
        raise SurveyError(_("This answer is hidden or has already been made into a demand."), code="state")
    title = (title or text.text).strip().splitlines()[0][:120] if (title or text.text).strip() else ""
    demand = demand_actions.demand_submit(
        building=building,
        category=category,
        title=title,
        description=text.text,
        is_public=is_public,
        channel=Demand.Channel.SURVEY,
        at=at,
    )
    demand_actions.demand_log(
        demand=demand,
        kind=DemandEvent.Kind.SURVEY_LINKED,
        actor=actor,
        actor_label=_council_label(survey),
        note=_("A suggestion from the survey “%(title)s”.") % {"title": survey.title},
        data={"survey": survey.key, "title": survey.title, "role": "suggestion", "text": text.pk},
        at=at + timedelta(minutes=1) if at else None,  # after the submission on the timeline
    )
    TextAnswer.objects.filter(pk=text.pk).update(
        demand=demand, status=TextAnswer.Status.SHOWN, moderated_by=actor, hidden_reason=""
    )
    text.demand = demand
    text.status = TextAnswer.Status.SHOWN
    return demand


@transaction.atomic
def question_set_options(
    *, question: Question, texts: list[str], other: bool, actor: User, scope: ActorScope | None = None
) -> None:
    """Replaces a draft question's options (the admin's "one per line"); only while the survey is a draft."""
    scope = scope or actor_scope(actor)
    survey = question.survey
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not change this survey."), code="forbidden")
    if survey.status != Survey.Status.DRAFT:
        raise SurveyError(_("Questions can only be changed while the survey is a draft."), code="state")
    if question.kind not in Question.OPTION_KINDS:
        texts, other = [], False
    existing = {o.text: o for o in question.options.filter(is_other=False)}
    keep = []
    for position, text in enumerate(texts[:MAX_OPTIONS]):
        option = existing.get(text)
        if option is None:
            option = Option.objects.create(question=question, position=position, text=text[:200])
        elif option.position != position:
            Option.objects.filter(pk=option.pk).update(position=position)
        keep.append(option.pk)
    question.options.filter(is_other=False).exclude(pk__in=keep).delete()
    has_other = question.options.filter(is_other=True).exists()
    if other and not has_other and question.kind in Question.CHOICE_KINDS:
        Option.objects.create(
            question=question, position=len(keep), text="其他（请说明）", text_en="Other", is_other=True
        )
    elif not other and has_other:
        question.options.filter(is_other=True).delete()
