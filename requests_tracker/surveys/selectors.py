"""Reads for surveys, with pinned query counts: the results are computed by the database in a few GROUP BYs.

`survey_results` costs the same number of queries for 8 responses or 8,000 (see tests/…/test_results.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from buildings.access import ActorScope

from . import access
from .models import Answer, Option, Question, Response, Survey, TextAnswer

#: A company's figures are shown on their own only from this many responses (no small group exposed).
MIN_GROUP = 5
#: Free texts listed per question on a results page (the total is shown next to them).
TEXTS_PER_QUESTION = 50


def survey_by_key(key: str) -> Survey | None:
    return Survey.objects.select_related("building__council", "subdistrict", "district").filter(key=key).first()


def questions_of(survey: Survey) -> list[Question]:
    """The questions in order, their options prefetched (2 queries)."""
    return list(
        Question.objects.filter(survey=survey).prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position", "id"))
        )
    )


def public_surveys(*, building_id: int | None = None) -> QuerySet[Survey]:
    """Open and published surveys (the board, the screen, the public API list)."""
    qs = Survey.objects.filter(access.public_listing_filter()).select_related("building", "subdistrict", "district")
    if building_id is not None:
        qs = qs.filter(building_id=building_id)
    return qs


def listed_surveys(scope: ActorScope, *, building_id: int | None = None) -> QuerySet[Survey]:
    """What the API's list shows the reader: the public ones, plus drafts and closed ones they may read."""
    condition = access.public_listing_filter()
    if access.is_staff_reader(scope):
        condition |= access.readable_filter(scope)
    qs = Survey.objects.filter(condition).select_related("building", "subdistrict", "district")
    if building_id is not None:
        qs = qs.filter(building_id=building_id)
    return qs.order_by("-created_at", "-id")


@dataclass
class OptionFigure:
    id: int
    text: str
    count: int = 0
    percent: float = 0.0
    score: int | None = None  # Borda points, for rankings
    is_other: bool = False


@dataclass
class QuestionFigure:
    question: Question
    n: int = 0
    options: list[OptionFigure] = field(default_factory=list)
    mean: float | None = None
    distribution: list[tuple[int, int]] = field(default_factory=list)
    texts: list[TextAnswer] = field(default_factory=list)
    text_count: int = 0

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class Results:
    survey: Survey
    n: int
    questions: list[QuestionFigure]
    companies: list[dict[str, Any]]  # only groups of MIN_GROUP or more
    company_id: int | None = None


def company_groups(survey: Survey) -> list[dict[str, Any]]:
    """Companies with at least MIN_GROUP responses, with their n (1 query)."""
    rows = (
        Response.objects.filter(survey=survey, company__isnull=False)
        .values("company_id", "company__name")
        .annotate(n=Count("id"))
        .order_by("-n", "company__name")
    )
    return [{"id": r["company_id"], "name": r["company__name"], "n": r["n"]} for r in rows if r["n"] >= MIN_GROUP]


def survey_results(
    survey: Survey,
    *,
    company_id: int | None = None,
    texts: str = "shown",
    questions: list[Question] | None = None,
) -> Results:
    """Every question's figures: counts and percentages of respondents, rating mean and distribution,
    Borda scores, free texts (`texts`: "shown" for the public, "all" for the council, "none").

    Six queries (two fewer with `questions` given), whatever the number of responses. A company
    filter applies only to a group of MIN_GROUP or more; otherwise it is ignored.
    """
    questions = questions if questions is not None else questions_of(survey)
    groups = company_groups(survey)
    if company_id is not None and not any(g["id"] == company_id for g in groups):
        company_id = None
    answers = Answer.objects.filter(survey=survey)
    if company_id is not None:
        answers = answers.filter(response__company_id=company_id)
    tally: dict[tuple[int, int | None, int | None], int] = {
        (q, o, v): c
        for q, o, v, c in answers.values_list("question_id", "option_id", "value").annotate(c=Count("*")).order_by()
    }
    n_total = survey.response_count
    if company_id is not None:
        n_total = next(g["n"] for g in groups if g["id"] == company_id)

    text_rows: list[TextAnswer] = []
    text_counts: dict[int, int] = {}
    if texts != "none":
        text_qs = TextAnswer.objects.filter(survey=survey)
        if texts == "shown":
            text_qs = text_qs.filter(status=TextAnswer.Status.SHOWN)
        if company_id is not None:
            text_qs = text_qs.filter(response__company_id=company_id)
        text_counts = dict(text_qs.values_list("question_id").annotate(c=Count("*")).order_by())
        text_rows = list(
            text_qs.annotate(row=Window(RowNumber(), partition_by=[F("question_id")], order_by=[F("id").desc()]))
            .filter(row__lte=TEXTS_PER_QUESTION)
            .order_by("question_id", "-id")
        )
    texts_by_question: dict[int, list[TextAnswer]] = {}
    for t in text_rows:
        texts_by_question.setdefault(t.question_id, []).append(t)

    figures = []
    for q in questions:
        if q.kind == Question.Kind.HEADING:
            figures.append(QuestionFigure(question=q))
            continue
        options = list(q.options.all())
        fig = QuestionFigure(question=q)
        if q.kind == Question.Kind.SINGLE:
            fig.n = sum(tally.get((q.pk, o.pk, None), 0) for o in options)
        elif q.kind == Question.Kind.RATING:
            fig.distribution = [(v, tally.get((q.pk, None, v), 0)) for v in range(1, 6)]
            fig.n = sum(c for _v, c in fig.distribution)
            fig.mean = round(sum(v * c for v, c in fig.distribution) / fig.n, 2) if fig.n else None
        else:
            fig.n = tally.get((q.pk, None, None), 0)
        if q.kind in Question.CHOICE_KINDS:
            fig.options = [
                OptionFigure(
                    id=o.pk,
                    text=o.localized("text"),
                    count=(c := tally.get((q.pk, o.pk, None), 0)),
                    percent=round(100 * c / fig.n, 1) if fig.n else 0.0,
                    is_other=o.is_other,
                )
                for o in options
            ]
        elif q.kind == Question.Kind.RANKING:
            k = len(options)
            for o in options:
                ranks = {r: tally.get((q.pk, o.pk, r), 0) for r in range(1, k + 1)}
                first = ranks.get(1, 0)
                fig.options.append(
                    OptionFigure(
                        id=o.pk,
                        text=o.localized("text"),
                        count=first,
                        percent=round(100 * first / fig.n, 1) if fig.n else 0.0,
                        score=sum((k - r) * c for r, c in ranks.items()),
                    )
                )
            fig.options.sort(key=lambda f: -(f.score or 0))
        fig.texts = texts_by_question.get(q.pk, [])
        fig.text_count = text_counts.get(q.pk, 0)
        figures.append(fig)
    return Results(survey=survey, n=n_total, questions=figures, companies=groups, company_id=company_id)


def response_rows(survey: Survey, questions: list[Question]) -> tuple[list[str], list[list[Any]]]:
    """One row per response for the export (answers in question order); free text only once shown.

    Three queries whatever the size: responses, answers, shown texts. Rows in random (UUID) order.
    """
    answerable = [q for q in questions if q.kind != Question.Kind.HEADING]
    option_text = {o.pk: o.text for q in answerable for o in q.options.all()}
    headers = ["#", "企业 company", *[f"{i + 1}. {q.text}" for i, q in enumerate(answerable)]]
    responses = list(Response.objects.filter(survey=survey).values_list("id", "company__name").order_by("id"))
    cells: dict[tuple[Any, int], list[tuple[int | None, int | None]]] = {}
    for rid, qid, oid, value in (
        Answer.objects.filter(survey=survey)
        .values_list("response_id", "question_id", "option_id", "value")
        .order_by("id")
    ):
        cells.setdefault((rid, qid), []).append((oid, value))
    shown: dict[tuple[Any, int], str] = {
        (rid, qid): text
        for rid, qid, text in TextAnswer.objects.filter(survey=survey, status=TextAnswer.Status.SHOWN).values_list(
            "response_id", "question_id", "text"
        )
    }
    pending = set(
        TextAnswer.objects.filter(survey=survey)
        .exclude(status=TextAnswer.Status.SHOWN)
        .values_list("response_id", "question_id")
    )
    rows = []
    for i, (rid, company) in enumerate(responses, start=1):
        row: list[Any] = [i, company or ""]
        for q in answerable:
            got = cells.get((rid, q.pk), [])
            said = shown.get((rid, q.pk), "")
            if (rid, q.pk) in pending and not said:
                said = "（未审核或已隐藏）"
            if q.kind in Question.CHOICE_KINDS:
                picks = "；".join(option_text[o] for o, _v in got if o is not None)
                row.append(f"{picks}：{said}" if said else picks)
            elif q.kind == Question.Kind.RATING:
                row.append(next((v for _o, v in got if v is not None), ""))
            elif q.kind == Question.Kind.RANKING:
                ranked = sorted((v, option_text[o]) for o, v in got if o is not None and v is not None)
                row.append(" > ".join(t for _v, t in ranked))
            else:
                row.append(said)
        rows.append(row)
    return headers, rows


def now_local_date() -> str:
    return timezone.localdate().isoformat()


def open_survey_filter(now: Any = None) -> Q:
    now = now or timezone.now()
    return Q(status=Survey.Status.OPEN) & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
