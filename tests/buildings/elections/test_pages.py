"""The pages: voting with a code step by step, the receipt check, the council's roll upload and slips."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from buildings import panels
from buildings.access import actor_scope
from buildings.elections import actions
from buildings.elections.models import Ballot, CodeBatch, Elector
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db


def _vote(client: Client, key: str, step: str, code: str, candidates: list[Any] | None = None) -> Any:
    data: dict[str, Any] = {"step": step, "code": code}
    if candidates is not None:
        data["candidates"] = [str(c) for c in candidates]
    return client.post(reverse("election-vote", args=[key]), data)


def test_voting_on_the_page_takes_a_code_a_choice_a_confirmation_and_gives_a_receipt(cast: Any) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=3)
    key = world.election.key
    client = Client()
    a, b, c = world.candidates

    code_step = _vote(client, key, "code", world.codes[0])
    assert code_step.status_code == 200 and b.name in code_step.content.decode()
    too_many = _vote(client, key, "review", world.codes[0], [a.pk, b.pk, c.pk])
    assert too_many.status_code == 400 and "最多选择 2 位候选人" in too_many.content.decode()
    review = _vote(client, key, "review", world.codes[0], [a.pk, c.pk])
    assert review.status_code == 200 and "您将投票给" in review.content.decode()
    assert Ballot.objects.count() == 0  # reviewing writes nothing
    cast_ = _vote(client, key, "cast", world.codes[0], [a.pk, c.pk])
    assert cast_.status_code == 201 and "您的回执" in cast_.content.decode()
    assert Ballot.objects.get().choices == sorted([a.pk, c.pk])

    again = _vote(client, key, "code", world.codes[0])
    assert again.status_code == 409 and "该投票码已经用过" in again.content.decode()
    unknown = _vote(client, key, "code", "ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 403 and "投票码无效" in unknown.content.decode()
    blank = _vote(client, key, "cast", world.codes[1], [])
    assert blank.status_code == 201  # a blank ballot counts for turnout, not for anyone
    assert Ballot.objects.count() == 2


def test_after_close_the_vote_page_says_so_and_the_receipt_checks(cast: Any) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=3)
    receipt = actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[world.candidates[0].pk])
    actions.election_close(scope=actor_scope(cast.captain_a), election=world.election)
    client = Client()
    key = world.election.key

    assert "投票已经结束" in client.get(reverse("election-vote", args=[key])).content.decode()
    late = _vote(client, key, "cast", world.codes[1], [world.candidates[0].pk])
    assert late.status_code == 409
    counted = client.post(reverse("election-check", args=[key]), {"receipt": receipt})
    assert counted.status_code == 200 and "已计入结果" in counted.content.decode()
    assert receipt not in counted.content.decode().replace(f'value="{receipt}"', "")  # only in the field
    unknown = client.post(reverse("election-check", args=[key]), {"receipt": "\x00<script>"})
    assert unknown.status_code == 404


def test_the_captain_uploads_a_roll_in_the_admin_and_downloads_its_slips_once(cast: Any) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=1, open_voting=False)
    company = world.companies[0].name
    client = Client()
    client.force_login(cast.captain_a)
    roll = f"姓名,企业,工号\n张三,{company},Z1\n李四,{company},Z2\n".encode("utf-8-sig")

    response = client.post(
        reverse("admin:elections_election_roll", args=[world.election.pk]),
        {"file": SimpleUploadedFile("roll.csv", roll)},
    )

    assert response.status_code == 302
    batch = CodeBatch.objects.get(election=world.election)
    page = client.get(reverse("election", args=[world.election.key])).content.decode()
    assert reverse("election-codes", args=[world.election.key, batch.pk, "slips"]) in page
    xlsx = client.get(reverse("election-codes", args=[world.election.key, batch.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:4] == ("工号", "姓名", "投票码")
    assert [r[1] for r in rows[1:]] == ["Z1", "Z2"]
    assert str(rows[1][4]).endswith("#c=" + str(rows[1][3]))
    assert client.get(reverse("election-codes", args=[world.election.key, batch.pk, "csv"])).status_code == 409
    assert CodeBatch.objects.get(pk=batch.pk).codes == []
    assert Elector.objects.filter(election=world.election).count() == 3


def test_the_screen_shows_turnout_while_voting_and_results_after_close(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=5)
    touched: list[int] = []
    panels.on_touch("test-elections", touched.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[world.candidates[0].pk])
    finally:
        panels._touch.pop("test-elections")
    assert touched == [cast.tower_a.pk]  # the screens refetch when turnout moves

    during = [p for p in panels.screen_panels(cast.tower_a.pk) if p["kind"] == "election"]
    assert [(r["label"], r["value"]) for r in during[0]["rows"]] == [("投票率", "1 / 5")]
    actions.election_close(scope=actor_scope(cast.captain_a), election=world.election)
    after = [p for p in panels.screen_panels(cast.tower_a.pk) if p["kind"] == "election"]
    assert (world.candidates[0].name, "当选 · 1 票") in [(r["label"], r["value"]) for r in after[0]["rows"]]


def test_the_captain_sets_up_an_election_and_a_candidate_in_the_admin(cast: Any) -> None:
    from buildings.elections.models import Candidate, Election

    client = Client()
    client.force_login(cast.captain_a)
    form = {
        "building": cast.tower_a.pk,
        "title": "2027年员工代表选举",
        "seats": 2,
        "role": "employee_representative",
        "term_years": 3,
        "opens_at_0": "2027-01-05",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2027-01-12",
        "closes_at_1": "18:00:00",
        "min_turnout_percent": 20,
    }
    other = client.post(reverse("admin:elections_election_add"), {**form, "building": cast.tower_b.pk})
    assert other.status_code == 200 and not Election.objects.exists()  # not a choice for this captain
    backwards = client.post(reverse("admin:elections_election_add"), {**form, "closes_at_0": "2027-01-01"})
    assert backwards.status_code == 200 and not Election.objects.exists()

    created = client.post(reverse("admin:elections_election_add"), form)

    assert created.status_code == 302
    election = Election.objects.get()
    assert (election.status, election.created_by, election.building) == ("draft", cast.captain_a, cast.tower_a)
    page = client.get(reverse("admin:elections_election_change", args=[election.pk])).content.decode()
    assert reverse("admin:elections_election_roll", args=[election.pk]) in page
    added = client.post(
        reverse("admin:elections_election_candidate", args=[election.pk]), {"name": "郑丽", "company": "x"}
    )
    assert added.status_code == 302
    assert Candidate.objects.get(election=election).name == "郑丽"


def test_the_lobby_desk_marks_paper_voters_and_reissues_lost_codes(cast: Any) -> None:
    world = helpers.build(cast.tower_a, cast.captain_a, electors=3)
    key = world.election.key
    url = reverse("election-roll", args=[key])
    member = Client()
    member.force_login(cast.plain_member_user)  # a council member at the desk, not a captain
    captain = Client()
    captain.force_login(cast.captain_a)
    resident = Client()
    resident.force_login(cast.resident)

    assert resident.get(url + "?q=选民0").status_code == 404
    found = member.get(url + "?q=选民0").content.decode()
    assert "选民0" in found and "尚未投票" in found and "补发" not in found  # reissuing is the captain's
    marked = member.post(url, {"q": "选民0", "elector": world.elector_ids[0], "action": "paper"})
    assert marked.status_code == 200 and "纸质选票" in marked.content.decode()
    assert Elector.objects.get(pk=world.elector_ids[0]).voted == "paper"
    assert member.post(url, {"elector": world.elector_ids[0], "action": "paper"}).status_code == 409
    assert member.post(url, {"elector": world.elector_ids[1], "action": "reissue"}).status_code == 404

    reissued = captain.post(url, {"q": "选民1", "elector": world.elector_ids[1], "action": "reissue"})
    assert reissued.status_code == 200
    new_code = reissued.context["reissued"]["code"]
    with pytest.raises(actions.ElectionError):
        actions.ballot_cast(election=world.election, code=world.codes[1], candidate_ids=[])
    actions.ballot_cast(election=world.election, code=new_code, candidate_ids=[])
    assert Ballot.objects.filter(election=world.election).count() == 1
