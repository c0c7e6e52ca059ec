"""Building a survey and moving it along: draft questions, demands that prompted it, open / close / publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Building, District, Subdistrict, User
from requests_tracker import actions as demand_actions
from requests_tracker.models import Demand, DemandEvent

from .. import access
from ..models import (
    Option,
    Question,
    Survey,
)
from .base import SurveyError, _council_label, _status_label, _touch

MAX_QUESTIONS = 60


MAX_OPTIONS = 30


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
