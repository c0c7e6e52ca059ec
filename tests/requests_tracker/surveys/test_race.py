"""Two responses with the same invitation code at the same moment, on two real PostgreSQL connections:
exactly one is stored, the other is refused with 409 and writes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from requests_tracker.surveys import actions, answers
from requests_tracker.surveys.actions import responses as response_actions
from requests_tracker.surveys.models import Answer, InvitationCode, Response, Survey
from tests import factories
from tests.requests_tracker.surveys.helpers import make_survey
from tests.requests_tracker.surveys.test_results import answer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20
ROUNDS = 5


def _race(survey_id: int, code: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    check = answers.check_answers

    def check_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = check(*args, **kwargs)
        if threading.current_thread().name.startswith("racer-"):
            barrier.wait()  # both have passed every Python-side check before either writes
        return result

    monkeypatch.setattr(response_actions, "check_answers", check_then_wait)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            survey = Survey.objects.get(pk=survey_id)
            raw = answer(survey, single=i, picks=[0], rating=3, ranking=[0, 1, 2])
            results[i] = actions.survey_respond(survey=survey, answers=raw, code=code, browser_key=f"racer{i}")
        except Exception as exc:  # collected and asserted on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


def test_two_racing_responses_with_the_same_code_store_exactly_one(monkeypatch: pytest.MonkeyPatch) -> None:
    cast = factories.build_cast()
    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = factories.CompanyFactory(building=cast.tower_a)
    _batch, codes = actions.codes_generate(survey=survey, company=company, count=ROUNDS, actor=cast.captain_a)
    for n, code in enumerate(codes, start=1):
        results = _race(survey.pk, code, monkeypatch)
        stored = [r for r in results if isinstance(r, Response)]
        refused = [r for r in results if isinstance(r, actions.SurveyError)]
        assert len(stored) == 1 and len(refused) == 1, results
        assert refused[0].code == "used"
        assert Response.objects.filter(survey=survey).count() == n
        survey.refresh_from_db()
        assert survey.response_count == n
    assert InvitationCode.objects.filter(survey=survey, used=True).count() == ROUNDS
    # Only the winners' answers exist: 4 rows per response here (single, rating, ranking answered + 3, multiple 2).
    assert Answer.objects.filter(survey=survey).values("response").distinct().count() == ROUNDS
