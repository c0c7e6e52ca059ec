"""Certification end to end: the roster on /b/<slug>/ changes, old terms end, the timeline says why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buildings.access import actor_scope
from buildings.elections import actions
from buildings.models import CouncilEvent, CouncilMember
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db


def _roster(client: Client) -> str:
    html = client.get(reverse("board", args=["shanghai-tower"])).content.decode()
    return html[html.index('class="roster"') : html.index("</details>", html.index('class="roster"'))]


def test_certifying_puts_the_elected_on_the_roster_and_ends_the_seats_that_were_up(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tower = cast.tower_a
    scope = actor_scope(cast.captain_a)
    world = helpers.build(tower, cast.captain_a, electors=6, candidates=3, seats=2)
    zheng, lin, wang = world.candidates
    for code, choice in zip(
        world.codes, [[zheng, lin], [zheng], [zheng, wang], [lin], [lin, zheng], [wang]], strict=True
    ):
        actions.ballot_cast(election=world.election, code=code, candidate_ids=[c.pk for c in choice])
    client = Client()
    before = _roster(client)
    assert "陈委员" in before and zheng.name not in before  # the sitting employee representative

    actions.election_close(scope=scope, election=world.election)
    certified = Client()
    certified.force_login(cast.captain_a)
    with django_capture_on_commit_callbacks(execute=True):  # committed: the board's stamp moves
        response = certified.post(reverse("api-election-certify", args=[world.election.key]))

    assert response.status_code == 200 and response.json()["status"] == "certified"
    after = _roster(client)
    assert zheng.name in after and lin.name in after and wang.name not in after
    assert "陈委员" not in after
    today = timezone.localdate()
    ended = CouncilMember.objects.get(display_name="陈委员")
    assert ended.term_end == today - timedelta(days=1)
    new = CouncilMember.objects.get(display_name=zheng.name)
    assert (new.term_start, new.role) == (today, "employee_representative")
    assert new.term_end == today.replace(year=today.year + 3) - timedelta(days=1)
    assert CouncilMember.objects.get(display_name="王楼长").term_end != today - timedelta(days=1)  # other roles stay
    timeline = list(CouncilEvent.objects.filter(council__building=tower).values_list("kind", "note"))
    kinds = [k for k, _ in timeline]
    assert kinds.count("member_elected") == 2 and kinds.count("term_ended") == 1 and "election_certified" in kinds
    assert any("陈委员" in note and world.election.title in note for kind, note in timeline if kind == "term_ended")
    board = client.get(reverse("board", args=["shanghai-tower"])).content.decode()
    assert "陈委员" in board  # named on the timeline of council changes, with the reason
    assert certified.post(reverse("api-election-certify", args=[world.election.key])).status_code == 409


def test_paper_totals_need_two_council_members_and_count_only_once_confirmed(cast: Any) -> None:
    scope = actor_scope(cast.captain_a)
    world = helpers.build(cast.tower_a, cast.captain_a, electors=5, candidates=2, seats=1)
    first, second = world.candidates
    actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[first.pk])
    for elector_id in world.elector_ids[1:4]:
        actions.elector_mark_paper(scope=scope, election=world.election, elector_id=elector_id)
    actions.election_close(scope=scope, election=world.election)
    captain = Client()
    captain.force_login(cast.captain_a)
    member = Client()
    member.force_login(cast.plain_member_user)
    outsider = Client()
    outsider.force_login(cast.district_staff)
    key = world.election.key
    totals_url = reverse("api-election-paper-totals", args=[key])
    confirm_url = reverse("api-election-paper-confirm", args=[key])

    assert captain.post(reverse("api-election-certify", args=[key])).status_code == 409  # paper not in yet
    assert outsider.post(totals_url, {"totals": {second.pk: 3}}, content_type="application/json").status_code == 403
    assert captain.post(totals_url, {"totals": {second.pk: 4}}, content_type="application/json").status_code == 400
    assert captain.post(totals_url, {"totals": {second.pk: 3}}, content_type="application/json").status_code == 200
    results = Client().get(reverse("api-election-results", args=[key])).json()
    assert {c["id"]: c["votes"] for c in results["candidates"]} == {first.pk: 1, second.pk: 0}  # not confirmed
    assert captain.post(confirm_url).status_code == 403  # the same person cannot confirm
    assert member.post(confirm_url).status_code == 200
    results = Client().get(reverse("api-election-results", args=[key])).json()
    assert {c["id"]: (c["votes"], c["elected"]) for c in results["candidates"]} == {
        first.pk: (1, False),
        second.pk: (3, True),
    }
    world.election.refresh_from_db()
    assert world.election.paper_entered_by.display_name == "王楼长"
    assert world.election.paper_confirmed_by.display_name == "陈委员"
    assert captain.post(reverse("api-election-certify", args=[key])).status_code == 200


def test_a_tie_for_the_last_seat_waits_for_the_recorded_lot(cast: Any) -> None:
    scope = actor_scope(cast.captain_a)
    world = helpers.build(cast.tower_a, cast.captain_a, electors=2, candidates=2, seats=1)
    a, b = world.candidates
    actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[a.pk])
    actions.ballot_cast(election=world.election, code=world.codes[1], candidate_ids=[b.pk])
    actions.election_close(scope=scope, election=world.election)
    captain = Client()
    captain.force_login(cast.captain_a)
    key = world.election.key

    assert Client().get(reverse("api-election-results", args=[key])).json()["needs_lot"] is True
    assert captain.post(reverse("api-election-certify", args=[key])).status_code == 409
    lot = captain.post(
        reverse("api-election-lot", args=[key]),
        {"order": [b.pk, a.pk], "note": "楼事会会议抽签，王楼长主持"},
        content_type="application/json",
    )
    assert lot.status_code == 200
    results = Client().get(reverse("api-election-results", args=[key])).json()
    assert {c["id"]: c["elected"] for c in results["candidates"]} == {a.pk: False, b.pk: True}
    assert captain.post(reverse("api-election-certify", args=[key])).status_code == 200
    assert CouncilMember.objects.filter(display_name=b.name).exists()
