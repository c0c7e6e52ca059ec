"""Answering a survey: the API contract, every refusal, anonymity, and the cost of one response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from requests_tracker.surveys import actions
from requests_tracker.surveys.models import Answer, InvitationCode, Receipt, Response, Survey, TextAnswer
from tests import factories
from tests.requests_tracker.surveys.helpers import full_answers, make_survey, opt, qs

pytestmark = pytest.mark.django_db


def post(client: Client, survey: Survey, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/surveys/{survey.key}/responses/", body, content_type="application/json")


@pytest.fixture
def survey(cast: factories.Cast) -> Survey:
    return make_survey(cast.tower_a, cast.captain_a)


def test_a_full_response_is_stored_with_every_kind(client: Client, survey: Survey) -> None:
    r = post(client, survey, {"answers": full_answers(survey)})
    assert r.status_code == 201, r.json()
    assert Response.objects.filter(survey=survey).count() == 1
    survey.refresh_from_db()
    assert survey.response_count == 1
    # single 1 + multiple (answered + 2 picks) + rating 1 + ranking (answered + 3) + text 2
    assert Answer.objects.filter(survey=survey).count() == 1 + 3 + 1 + 4 + 2
    assert sorted(TextAnswer.objects.values_list("text", flat=True)) == sorted(
        ["保温袋", "电梯太挤，骑手上不来", "希望在2号门装加热外卖柜"]
    )
    assert set(TextAnswer.objects.values_list("status", flat=True)) == {TextAnswer.Status.PENDING}


def test_a_response_holds_nothing_that_identifies_anyone(client: Client, survey: Survey) -> None:
    post(client, survey, {"answers": full_answers(survey)})
    fields = {f.name for f in Response._meta.get_fields() if f.concrete}
    assert fields == {"id", "survey", "company"}  # no user, IP, browser key or time
    for model in (Receipt, InvitationCode):
        assert not any(f.get_internal_type() in ("DateTimeField", "DateField") for f in model._meta.concrete_fields)
        assert not any(f.related_model is Response for f in model._meta.concrete_fields)
    assert Response._meta.pk.get_internal_type() == "UUIDField"  # random: no order to line up with anything
    assert Receipt._meta.pk.name == "digest"  # no sequence either
    # The receipt's key is a keyed hash, not the browser's cookie.
    receipt = Receipt.objects.get()
    assert client.cookies["lh_survey_browser"].value not in receipt.digest


def test_the_same_browser_cannot_answer_twice(client: Client, survey: Survey) -> None:
    assert post(client, survey, {"answers": full_answers(survey)}).status_code == 201
    again = post(client, survey, {"answers": full_answers(survey)})
    assert again.status_code == 409
    assert "已" in again.json()["detail"]
    assert Response.objects.count() == 1


def test_another_browser_can_answer(client: Client, survey: Survey) -> None:
    assert post(client, survey, {"answers": full_answers(survey)}).status_code == 201
    assert post(Client(), survey, {"answers": full_answers(survey)}).status_code == 201
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    ("mutate", "kind"),
    [
        (lambda a, q: [x for x in a if x["question"] != q["single"].pk], "single"),  # required missing
        (
            lambda a, q: [
                {**x, "options": [opt(q["ranking"], 0)]} if x["question"] == q["single"].pk else x for x in a
            ],
            "single",
        ),
        (
            lambda a, q: [
                {**x, "options": [opt(q["multiple"], i) for i in range(3)]} if x["question"] == q["multiple"].pk else x
                for x in a
            ],
            "multiple",
        ),
        (
            lambda a, q: [{**x, "text": ""} if x["question"] == q["multiple"].pk else x for x in a],
            "multiple",
        ),  # other without text
        (lambda a, q: [{**x, "value": 6} if x["question"] == q["rating"].pk else x for x in a], "rating"),
        (lambda a, q: [{**x, "value": 0} if x["question"] == q["rating"].pk else x for x in a], "rating"),
        (lambda a, q: [{**x, "value": "4"} if x["question"] == q["rating"].pk else x for x in a], "rating"),
        (
            lambda a, q: [{**x, "ranking": x["ranking"][:2]} if x["question"] == q["ranking"].pk else x for x in a],
            "ranking",
        ),
        (
            lambda a, q: [
                {**x, "ranking": [x["ranking"][0]] * 3} if x["question"] == q["ranking"].pk else x for x in a
            ],
            "ranking",
        ),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_question_and_nothing_is_stored(
    client: Client, survey: Survey, mutate: Any, kind: str
) -> None:
    q = qs(survey)
    r = post(client, survey, {"answers": mutate(full_answers(survey), q)})
    assert r.status_code == 400, r.json()
    assert r.json()["question"] == q[kind].pk
    assert q[kind].text[:10] in r.json()["detail"]
    assert not Response.objects.exists() and not Answer.objects.exists() and not TextAnswer.objects.exists()
    assert not Receipt.objects.exists()
    survey.refresh_from_db()
    assert survey.response_count == 0


def test_an_answer_to_a_hidden_conditional_question_is_dropped(client: Client, survey: Survey) -> None:
    q = qs(survey)
    answers = [
        {**a, "options": [opt(q["single"], 0)]} if a["question"] == q["single"].pk else a for a in full_answers(survey)
    ]
    assert post(client, survey, {"answers": answers}).status_code == 201
    assert not TextAnswer.objects.filter(question=q["text"]).exists()


def test_malformed_bodies_are_400_not_500(client: Client, survey: Survey) -> None:
    for body in [
        {},
        {"answers": "x"},
        {"answers": [1]},
        {"answers": [{"question": "x"}]},
        {"answers": [{"question": 10**12}]},
    ]:
        r = post(client, survey, body)
        assert r.status_code == 400, (body, r.status_code)
        assert r.json()["detail"]
    assert not Response.objects.exists()


def test_before_opening_and_after_closing_are_409(client: Client, cast: factories.Cast) -> None:
    later = make_survey(cast.tower_a, cast.captain_a, opens_at=timezone.now() + timedelta(days=1))
    r = post(client, later, {"answers": full_answers(later)})
    assert (r.status_code == 409 and "开始" in r.json()["detail"]) or "opens" in r.json()["detail"]
    done = make_survey(cast.tower_a, cast.captain_a)
    actions.survey_move(survey=done, move="close", actor=cast.captain_a)
    r = post(client, done, {"answers": full_answers(done)})
    assert r.status_code == 409
    past = make_survey(cast.tower_a, cast.captain_a, closes_at=timezone.now() - timedelta(minutes=1))
    assert post(client, past, {"answers": full_answers(past)}).status_code == 409
    draft = make_survey(cast.tower_a, cast.captain_a, open_it=False)
    assert post(client, draft, {"answers": full_answers(draft)}).status_code == 404  # a draft is not public
    assert not Response.objects.exists()


@pytest.fixture
def coded(cast: factories.Cast) -> tuple[Survey, list[str], Any]:
    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = factories.CompanyFactory(building=cast.tower_a, name="摩根大通")
    _batch, codes = actions.codes_generate(survey=survey, company=company, count=5, actor=cast.captain_a)
    return survey, codes, company


def test_a_code_answers_once_and_carries_only_its_company(client: Client, coded: Any) -> None:
    survey, codes, company = coded
    assert post(client, survey, {"code": codes[0].lower(), "answers": full_answers(survey)}).status_code == 201
    assert Response.objects.get().company == company
    used = post(Client(), survey, {"code": codes[0], "answers": full_answers(survey)})
    assert used.status_code == 409
    assert Response.objects.count() == 1
    # A second code from the same browser (a shared computer) works.
    assert post(client, survey, {"code": codes[1], "answers": full_answers(survey)}).status_code == 201


def test_unknown_missing_and_revoked_codes(client: Client, coded: Any, cast: factories.Cast) -> None:
    survey, codes, _company = coded
    assert post(client, survey, {"code": "AAAA-BBBB-CCCC", "answers": full_answers(survey)}).status_code == 403
    assert post(client, survey, {"answers": full_answers(survey)}).status_code == 403
    batch = InvitationCode.objects.first().batch  # type: ignore[union-attr]
    assert actions.codes_revoke(batch=batch, actor=cast.captain_a, code=codes[2]) == 1
    r = post(client, survey, {"code": codes[2], "answers": full_answers(survey)})
    assert r.status_code == 409
    assert not Response.objects.exists()


def test_codes_are_unguessable_and_stored_only_hashed(coded: Any) -> None:
    _survey, codes, _company = coded
    assert len(set(codes)) == 5
    assert all(len(actions.normalize_code(c)) == 12 for c in codes)
    stored = set(InvitationCode.objects.values_list("digest", flat=True))
    assert not any(actions.normalize_code(c) in d for c in codes for d in stored)


def test_accepting_a_response_costs_a_fixed_number_of_queries(
    client: Client, survey: Survey, django_assert_num_queries: Any
) -> None:
    client.get(f"/s/{survey.key}/")  # the browser cookie
    answers = full_answers(survey)
    # survey, questions, options, count (compare-and-set), receipt (in a savepoint: 3), response, answers,
    # texts; plus the request's own savepoint (2) under the test's transaction
    with django_assert_num_queries(12):
        assert post(client, survey, {"answers": answers}).status_code == 201
    other = Client()
    other.get(f"/s/{survey.key}/")
    fewer = [a for a in answers if "text" not in a or "options" in a]  # fewer answers, same cost
    with django_assert_num_queries(12):
        assert post(other, survey, {"answers": fewer}).status_code == 201


def test_a_coded_response_costs_a_fixed_number_of_queries(
    client: Client, coded: Any, django_assert_num_queries: Any
) -> None:
    survey, codes, _company = coded
    answers = full_answers(survey)
    # survey, questions, options, count, code (for update), spend it, receipt, response, answers, texts
    with django_assert_num_queries(12):
        assert post(client, survey, {"code": codes[0], "answers": answers}).status_code == 201


def test_sqlite_or_postgres(survey: Survey) -> None:
    assert connection.vendor in ("sqlite", "postgresql")


def test_responses_are_throttled_per_client(
    client: Client, cast: factories.Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"survey_response": "2/min"})
    survey = make_survey(cast.tower_a, cast.captain_a)
    statuses = [post(Client(), survey, {"answers": full_answers(survey)}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    page = Client().post(f"/s/{survey.key}/", {})
    assert page.status_code == 429 and "稍后再试" in page.content.decode()
    assert Response.objects.count() == 2


def test_a_nul_byte_in_a_text_is_dropped_not_a_500(client: Client, survey: Survey) -> None:
    q = qs(survey)
    answers = [{**a, "text": "保温\x00袋"} if a["question"] == q["multiple"].pk else a for a in full_answers(survey)]
    assert post(client, survey, {"answers": answers}).status_code == 201
    assert TextAnswer.objects.filter(text="保温袋").exists()
