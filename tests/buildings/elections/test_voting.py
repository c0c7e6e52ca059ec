"""The election's life through the API: set up, roll, open, vote, close, results, receipts — and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buildings.access import actor_scope
from buildings.elections import actions, codes
from buildings.elections.models import Ballot, Candidate, Election, Elector
from tests import factories
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, key: str, *args: Any) -> str:
    return reverse(name, args=[key, *args])


def _snapshot(election: Election) -> tuple[int, list[str]]:
    return Ballot.objects.filter(election=election).count(), sorted(
        Elector.objects.filter(election=election).values_list("voted", flat=True)
    )


def test_the_council_sets_up_an_election_through_the_api_and_residents_vote(captain_a: Any) -> None:
    now = timezone.now()
    client = _client(captain_a)
    factories.CompanyFactory(building=factories.Building.objects.get(slug="shanghai-tower"), name="摩根大通")
    created = client.post(
        "/api/v1/elections/",
        {
            "building": "shanghai-tower",
            "title": "2026年员工代表选举",
            "seats": 2,
            "role": "employee_representative",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(),
            "min_turnout_percent": 20,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    key = created.json()["key"]
    assert created.json()["status"] == "draft"
    ids = []
    for name in ("郑丽", "林晓", "王强"):
        response = client.post(
            _url("api-election-candidates", key),
            {"name": name, "company": "摩根大通", "statement": "为大家服务"},
            content_type="application/json",
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    roll = client.post(
        _url("api-election-electors", key),
        {"electors": [{"name": f"员工{i}", "company": "摩根大通", "ref": f"JPM{i}"} for i in range(5)]},
        content_type="application/json",
    )
    assert roll.status_code == 201
    issued = roll.json()["codes"]
    assert [c["ref"] for c in issued] == [f"JPM{i}" for i in range(5)]
    assert len({c["code"] for c in issued}) == 5
    assert client.post(_url("api-election-open", key)).json()["status"] == "voting"

    public = _client()
    detail = public.get(_url("api-election", key)).json()
    assert detail["turnout"] == {"voted": 0, "electors": 5}
    assert sorted(c["id"] for c in detail["candidates"]) == sorted(ids)
    vote = public.post(
        _url("api-election-ballots", key),
        {"code": issued[0]["code"], "candidates": ids[:2]},
        content_type="application/json",
    )
    assert vote.status_code == 201
    receipt = vote.json()["receipt"]
    assert public.get(_url("api-election", key)).json()["turnout"] == {"voted": 1, "electors": 5}
    assert public.get(_url("api-election-results", key)).status_code == 403
    assert public.get(_url("api-election-receipt", key, receipt)).status_code == 409

    assert client.post(_url("api-election-close", key)).json()["status"] == "closed"  # 1 of 5 = 20%: stands
    results = public.get(_url("api-election-results", key)).json()
    assert results["turnout"] == {"voted": 1, "electors": 5}
    votes = {c["id"]: (c["votes"], c["elected"]) for c in results["candidates"]}
    assert votes == {ids[0]: (1, True), ids[1]: (1, True), ids[2]: (0, False)}
    assert public.get(_url("api-election-receipt", key, receipt)).json() == {"counted": True}
    assert public.get(_url("api-election-receipt", key, "ABCDE-FGHJK")).status_code == 404


@pytest.mark.parametrize(
    ("candidates", "why"),
    [
        ("three", "more than seats"),
        ("other", "another election's candidate"),
        ("repeat", "a repeated candidate"),
        ("junk", "not numbers"),
    ],
)
def test_a_bad_choice_is_a_400_and_stores_nothing(captain_a: Any, candidates: str, why: str) -> None:
    world = helpers.build(captain_a.council_seats.first().council.building, captain_a)
    other = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=1)
    ids = [c.pk for c in world.candidates]
    choice: Any = {
        "three": ids,
        "other": [other.candidates[0].pk],
        "repeat": [ids[0], ids[0]],
        "junk": ["x"],
    }[candidates]
    before = _snapshot(world.election)

    response = _client().post(
        _url("api-election-ballots", world.election.key),
        {"code": world.codes[0], "candidates": choice},
        content_type="application/json",
    )

    assert response.status_code == 400, why
    assert response.json()["detail"]
    assert _snapshot(world.election) == before


def test_codes_work_once_and_each_refusal_says_why(captain_a: Any) -> None:
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=4)
    key = world.election.key
    client = _client()
    scope = actor_scope(captain_a)
    one = [world.candidates[0].pk]

    def vote(code: str) -> Any:
        return client.post(
            _url("api-election-ballots", key), {"code": code, "candidates": one}, content_type="application/json"
        )

    assert vote(world.codes[0].lower().replace("-", " ")).status_code == 201  # typed loosely: still the code
    used = vote(world.codes[0])
    assert used.status_code == 409 and "已" in used.json()["detail"]
    reissued = actions.elector_reissue(
        scope=scope, actor=captain_a, election=world.election, elector_id=world.elector_ids[1]
    )
    assert vote(world.codes[1]).status_code == 409  # the lost code stopped working
    assert vote(reissued.code).status_code == 201
    actions.elector_mark_paper(scope=scope, election=world.election, elector_id=world.elector_ids[2])
    assert vote(world.codes[2]).status_code == 409
    assert vote("2345-6789-ABCD").status_code == 403
    assert vote("not a code").status_code == 403
    before = _snapshot(world.election)
    assert vote("").status_code == 403
    assert _snapshot(world.election) == before
    assert Ballot.objects.filter(election=world.election).count() == 2


def test_voting_before_open_and_after_close_is_a_409(captain_a: Any) -> None:
    tower = factories.Building.objects.get(slug="shanghai-tower")
    world = helpers.build(tower, captain_a, open_voting=False, opens_at=timezone.now() + timedelta(hours=1))
    key = world.election.key
    body = {"code": world.codes[0], "candidates": [world.candidates[0].pk]}
    assert (
        _client().post(_url("api-election-ballots", key), body, content_type="application/json").status_code == 404
    )  # a draft is private
    captain = _client(captain_a)
    early = captain.post(_url("api-election-open", key))
    assert early.status_code == 409
    Election.objects.filter(pk=world.election.pk).update(opens_at=timezone.now() - timedelta(minutes=1))
    assert captain.post(_url("api-election-open", key)).status_code == 200
    assert captain.post(_url("api-election-close", key)).status_code == 200  # early close is allowed
    late = _client().post(_url("api-election-ballots", key), body, content_type="application/json")
    assert late.status_code == 409
    assert Ballot.objects.filter(election=world.election).count() == 0


def test_an_election_past_its_closing_time_closes_itself_when_looked_at(captain_a: Any) -> None:
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a)
    actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[world.candidates[0].pk])
    Election.objects.filter(pk=world.election.pk).update(closes_at=timezone.now() - timedelta(seconds=1))

    response = _client().get(_url("api-election-results", world.election.key))

    assert response.status_code == 200
    assert Election.objects.get(pk=world.election.pk).status == "closed"


def test_turnout_below_the_minimum_makes_the_election_void(captain_a: Any) -> None:
    world = helpers.build(
        factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=10, min_turnout_percent=50
    )
    for code in world.codes[:4]:
        actions.ballot_cast(election=world.election, code=code, candidate_ids=[world.candidates[0].pk])

    election = actions.election_close(scope=actor_scope(captain_a), election=world.election)

    assert election.status == "void"
    assert "40" in election.void_reason and "50" in election.void_reason
    results = _client().get(_url("api-election-results", election.key)).json()
    assert results["status"] == "void"
    assert not any(c["elected"] for c in results["candidates"])
    response = _client(captain_a).post(_url("api-election-certify", election.key))
    assert response.status_code == 409


def test_another_buildings_election_cannot_be_set_up_or_certified(captain_a: Any, captain_b: Any) -> None:
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a)
    actions.election_close(scope=actor_scope(captain_a), election=world.election)
    other = _client(captain_b)
    now = timezone.now()

    created = other.post(
        "/api/v1/elections/",
        {
            "building": "shanghai-tower",
            "title": "x",
            "seats": 1,
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 404
    assert other.post(_url("api-election-certify", world.election.key)).status_code == 404
    assert other.post(_url("api-election-candidates", world.election.key), {"name": "x"}).status_code == 404
    assert Election.objects.get(pk=world.election.pk).status == "closed"
    assert Election.objects.count() == 1


def test_the_roll_refuses_duplicates_and_strangers_with_the_row_number(captain_a: Any) -> None:
    world = helpers.build(
        factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=1, open_voting=False
    )
    company = world.companies[0].name
    client = _client(captain_a)
    url = _url("api-election-electors", world.election.key)
    rows = [{"name": "甲", "company": company, "ref": "X1"}, {"name": "乙", "company": company, "ref": "X1"}]

    duplicate = client.post(url, {"electors": rows}, content_type="application/json")
    stranger = client.post(
        url, {"electors": [{"name": "丙", "company": "不存在的公司", "ref": "Y"}]}, content_type="application/json"
    )
    csv_file = ("name,company,ref\n甲," + company + ",C1\n乙," + company + ",C1\n").encode("utf-8-sig")
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = client.post(url, {"file": SimpleUploadedFile("roll.csv", csv_file, content_type="text/csv")})

    assert duplicate.status_code == 400 and "2" in duplicate.json()["detail"]
    assert stranger.status_code == 400 and "不存在的公司" in stranger.json()["detail"]
    assert uploaded.status_code == 400 and "3" in uploaded.json()["detail"]  # line 3 of the file
    assert Elector.objects.filter(election=world.election).count() == 1


def test_a_roll_file_and_anonymous_codes_are_accepted(captain_a: Any) -> None:
    world = helpers.build(
        factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=1, open_voting=False
    )
    company = world.companies[0].name
    client = _client(captain_a)
    url = _url("api-election-electors", world.election.key)
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = f"姓名,企业,工号\n甲,{company},C1\n乙,{company},C2\n".encode("gb18030")
    uploaded = client.post(url, {"file": SimpleUploadedFile("roll.csv", csv_file)})
    anonymous = client.post(url, {"anonymous": True, "company": company, "count": 3}, content_type="application/json")

    assert uploaded.status_code == 201 and [c["ref"] for c in uploaded.json()["codes"]] == ["C1", "C2"]
    assert [c["ref"] for c in anonymous.json()["codes"]] == ["A0001", "A0002", "A0003"]
    assert all(codes.well_formed(c["code"]) for c in anonymous.json()["codes"])
    assert Elector.objects.filter(election=world.election).count() == 6


def test_candidates_and_roll_change_only_in_draft(captain_a: Any) -> None:
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a)
    client = _client(captain_a)
    key = world.election.key

    assert (
        client.post(
            _url("api-election-candidates", key), {"name": "迟到者"}, content_type="application/json"
        ).status_code
        == 409
    )
    rows = {"electors": [{"name": "x", "company": world.companies[0].name, "ref": "LATE"}]}
    assert client.post(_url("api-election-electors", key), rows, content_type="application/json").status_code == 409
    assert Candidate.objects.filter(election=world.election).count() == 3


def test_a_candidate_photo_is_checked_and_reencoded(captain_a: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a, open_voting=False)
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (50, 60), "red").save(buffer, format="PNG")
    client = _client(captain_a)
    url = _url("api-election-candidates", world.election.key)
    good = client.post(url, {"name": "郑丽", "photo": SimpleUploadedFile("p.png", buffer.getvalue())})
    bad = client.post(url, {"name": "假照片", "photo": SimpleUploadedFile("p.png", b"<?php echo 1; ?>")})

    assert good.status_code == 201
    assert Candidate.objects.get(pk=good.json()["id"]).photo.name.endswith(".jpg")
    assert bad.status_code == 400
    assert not Candidate.objects.filter(name="假照片").exists()


def test_the_clock_closes_elections_whose_time_is_over(captain_a: Any) -> None:
    from buildings.elections.tasks import close_due_elections

    due = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a)
    running = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a)
    Election.objects.filter(pk=due.election.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    assert close_due_elections() == 1

    assert Election.objects.get(pk=due.election.pk).status == "closed"
    assert Election.objects.get(pk=running.election.pk).status == "voting"


def test_text_that_cannot_be_stored_is_a_400_not_a_500(captain_a: Any) -> None:
    world = helpers.build(
        factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=1, open_voting=False
    )
    client = _client(captain_a)
    key = world.election.key

    candidate = client.post(_url("api-election-candidates", key), {"name": "郑\x00丽"}, content_type="application/json")
    rows = {"electors": [{"name": "a\x00", "company": world.companies[0].name, "ref": "N1"}]}
    roll = client.post(_url("api-election-electors", key), rows, content_type="application/json")
    garbage = client.post(
        "/api/v1/elections/", {"building": "shanghai-tower", "seats": "x"}, content_type="application/json"
    )
    ballot = _client().post(_url("api-election-ballots", key), ["not", "an", "object"], content_type="application/json")

    assert (candidate.status_code, roll.status_code, garbage.status_code) == (400, 400, 400)
    assert ballot.status_code == 404  # a draft is not there for the public
    assert Candidate.objects.filter(election=world.election).count() == 3
