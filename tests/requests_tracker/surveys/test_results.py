"""Results: the figures per question, the company cross-filter, and their cost at Shanghai Tower's size."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_tracker.surveys import actions, selectors
from requests_tracker.surveys.actions import responses as response_actions
from requests_tracker.surveys.answers import RawAnswer, check_answers
from requests_tracker.surveys.models import Answer, Question, Response, Survey, TextAnswer
from tests import factories
from tests.requests_tracker.surveys.helpers import make_survey, opt, qs

pytestmark = pytest.mark.django_db


def answer(
    survey: Survey, *, single: int, picks: list[int], rating: int, ranking: list[int], text: str = ""
) -> list[RawAnswer]:
    q = qs(survey)
    raw = [
        RawAnswer(question=q["single"].pk, options=[opt(q["single"], single)]),
        RawAnswer(question=q["rating"].pk, value=rating),
        RawAnswer(question=q["ranking"].pk, ranking=[opt(q["ranking"], i) for i in ranking]),
    ]
    if picks:
        raw.append(RawAnswer(question=q["multiple"].pk, options=[opt(q["multiple"], i) for i in picks]))
    if text:
        raw.append(RawAnswer(question=q["text2"].pk, text=text))
    return raw


def bulk_responses(survey: Survey, count: int, companies: list[Any], seed: int = 1) -> None:
    """`count` responses written in bulk with the action's own row shapes (8,000 through HTTP would take minutes)."""
    rng = random.Random(seed)
    questions = selectors.questions_of(survey)
    patterns = [
        check_answers(
            questions,
            answer(
                survey,
                single=rng.randrange(3),
                picks=rng.sample(range(3), rng.randrange(3)),
                rating=rng.randint(1, 5),
                ranking=rng.sample(range(3), 3),
                text=rng.choice(["", "希望增加加热格口", "骑手进不来"]),
            ),
        )
        for _ in range(40)
    ]
    responses, rows, texts = [], [], []
    for i in range(count):
        response = Response(survey=survey, company=companies[i % len(companies)] if companies else None)
        responses.append(response)
        r, t = response_actions._rows(survey, response, patterns[i % len(patterns)])
        rows += r
        texts += t
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(rows, batch_size=5000)
    TextAnswer.objects.bulk_create(texts, batch_size=2000)
    Survey.objects.filter(pk=survey.pk).update(response_count=count)
    survey.refresh_from_db()


@pytest.fixture
def survey(cast: factories.Cast) -> Survey:
    return make_survey(cast.tower_a, cast.captain_a, results="live")


def test_figures_per_question(survey: Survey) -> None:
    for i, (single, picks, rating, ranking) in enumerate(
        [(0, [0, 1], 5, [0, 1, 2]), (0, [0], 4, [0, 2, 1]), (2, [], 1, [2, 1, 0]), (1, [1, 3], 4, [1, 0, 2])]
    ):
        raw = answer(survey, single=single, picks=picks, rating=rating, ranking=ranking)
        if 3 in picks:
            raw[-1].text = "保温袋"
        actions.survey_respond(survey=survey, answers=raw, browser_key=f"b{i}")
    results = selectors.survey_results(survey, texts="all")
    by_kind = {f.kind: f for f in results.questions if f.kind != "text"}
    assert results.n == 4
    single = by_kind["single"]
    assert single.n == 4 and [o.count for o in single.options] == [2, 1, 1] and single.options[0].percent == 50.0
    multiple = by_kind["multiple"]
    # Counted per option among the 3 who answered, not per combination (Decidim #16421).
    assert multiple.n == 3 and [o.count for o in multiple.options] == [2, 2, 0, 1]
    assert round(sum(o.percent for o in multiple.options)) > 100
    rating = by_kind["rating"]
    assert rating.n == 4 and rating.mean == 3.5 and rating.distribution == [(1, 1), (2, 0), (3, 0), (4, 2), (5, 1)]
    ranking = by_kind["ranking"]
    scores = {o.text: o.score for o in ranking.options}
    # Borda: 3 options, 2 points for first place, 1 for second.
    assert scores == {"1号门": 2 + 2 + 0 + 1, "2号门": 1 + 0 + 1 + 2, "B1": 0 + 1 + 2 + 0}
    assert ranking.options[0].text == "1号门"  # sorted by score


def test_a_small_company_cannot_be_singled_out(survey: Survey, cast: factories.Cast) -> None:
    big = factories.CompanyFactory(building=cast.tower_a, name="大公司")
    small = factories.CompanyFactory(building=cast.tower_a, name="小公司")
    bulk_responses(survey, 14, [big, big, big, big, big, big, big, big, big, big, small, small, small, small])
    results = selectors.survey_results(survey, company_id=small.pk)
    assert results.company_id is None and results.n == 14  # ignored: only 4 responses
    assert [c["id"] for c in results.companies] == [big.pk]
    filtered = selectors.survey_results(survey, company_id=big.pk)
    assert filtered.company_id == big.pk and filtered.n == 10
    assert sum(o.count for o in filtered.questions[1].options) == 10


def test_results_cost_the_same_queries_at_8000_responses(
    survey: Survey, cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    companies = [factories.CompanyFactory(building=cast.tower_a) for _ in range(12)]
    bulk_responses(survey, 8, companies)
    # questions, options, companies, the tally, text counts, texts
    with django_assert_num_queries(6):
        small = selectors.survey_results(survey, texts="shown")
    Response.objects.filter(survey=survey).delete()
    bulk_responses(survey, 8000, companies)
    with django_assert_num_queries(6):
        large = selectors.survey_results(survey, texts="shown")
    assert large.n == 8000 and small.n == 8
    assert large.questions[1].n == 8000
    client = Client()
    # The public endpoint: the survey, then the same six.
    with django_assert_num_queries(7):
        r = client.get(f"/api/v1/surveys/{survey.key}/results/")
    assert r.status_code == 200 and r.json()["n"] == 8000
    with django_assert_num_queries(7):  # and with a company filter, no more
        r = client.get(f"/api/v1/surveys/{survey.key}/results/?company={companies[0].pk}")
    assert r.json()["company"] == companies[0].pk and r.json()["n"] == 667


def test_results_endpoint_shape(client: Client, survey: Survey) -> None:
    actions.survey_respond(
        survey=survey,
        answers=answer(survey, single=1, picks=[0], rating=3, ranking=[0, 1, 2], text="好"),
        browser_key="x",
    )
    body = client.get(f"/api/v1/surveys/{survey.key}/results/").json()
    items = {q["kind"]: q for q in body["questions"] if q["kind"] != "text"}
    assert set(items["single"]) >= {"question", "n", "options"}
    assert items["single"]["options"][1] == {
        "id": items["single"]["options"][1]["id"],
        "text": "1-2次",
        "count": 1,
        "percent": 100.0,
    }
    assert items["rating"]["mean"] == 3.0
    texts = [q for q in body["questions"] if q["kind"] == "text"]
    assert all(q["texts"] == [] for q in texts)  # not moderated yet: not public


def _recount(survey: Survey, given_answers: list[list[RawAnswer]]) -> dict[str, Any]:
    q = qs(survey)
    counts: dict[int, int] = {}
    ratings: list[int] = []
    borda: dict[int, int] = {}
    multi_n = 0
    for raw in given_answers:
        for a in raw:
            if a.question in (q["single"].pk, q["multiple"].pk):
                for o in a.options:
                    counts[o] = counts.get(o, 0) + 1
                multi_n += a.question == q["multiple"].pk
            elif a.question == q["rating"].pk:
                ratings.append(a.value)
            elif a.question == q["ranking"].pk:
                for place, o in enumerate(a.ranking, start=1):
                    borda[o] = borda.get(o, 0) + 3 - place
    return {"counts": counts, "ratings": ratings, "borda": borda, "multi_n": multi_n}


response_strategy = st.tuples(
    st.integers(0, 2),
    st.lists(st.integers(0, 2), max_size=2, unique=True),
    st.integers(1, 5),
    st.permutations([0, 1, 2]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(response_strategy, max_size=8), st.lists(st.integers(0, 7), max_size=3))
def test_results_equal_a_recount_of_what_was_accepted(
    cast: factories.Cast, responses: list[Any], dupes: list[int]
) -> None:
    """Whatever responses arrive (some browsers trying twice), the figures equal a recount of the accepted ones."""
    survey = make_survey(cast.tower_a, cast.captain_a)
    accepted = []
    attempts = [(i, r) for i, r in enumerate(responses)] + [(d, responses[d]) for d in dupes if d < len(responses)]
    for browser, (single, picks, rating, ranking) in attempts:
        raw = answer(survey, single=single, picks=picks, rating=rating, ranking=list(ranking))
        try:
            actions.survey_respond(survey=survey, answers=raw, browser_key=f"browser-{browser}")
        except actions.SurveyError as exc:
            assert exc.code == "answered"
        else:
            accepted.append(raw)
    assert len(accepted) == len(responses)  # one per browser, every browser once
    expected = _recount(survey, accepted)
    results = selectors.survey_results(survey)
    assert results.n == len(accepted) == Response.objects.filter(survey=survey).count()
    by_kind = {f.kind: f for f in results.questions}
    for kind in ("single", "multiple"):
        for o in by_kind[kind].options:
            assert o.count == expected["counts"].get(o.id, 0)
    assert by_kind["multiple"].n == expected["multi_n"]
    assert by_kind["rating"].n == len(expected["ratings"])
    if expected["ratings"]:
        assert by_kind["rating"].mean == round(sum(expected["ratings"]) / len(expected["ratings"]), 2)
    for o in by_kind["ranking"].options:
        assert o.score == expected["borda"].get(o.id, 0)
    assert by_kind[Question.Kind.SINGLE].n == len(accepted)
