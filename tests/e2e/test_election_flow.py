"""A resident on a phone, in Chinese: scan the slip, vote, keep the receipt, check it after close."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from buildings.access import actor_scope
from buildings.elections import actions
from buildings.elections.models import Ballot, Election, Elector
from buildings.elections.views import vote_url
from tests import factories
from tests.buildings.elections import helpers
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_scans_a_slip_votes_and_checks_the_receipt_after_close(
    live_server: Any, phone_page: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    cast = factories.build_cast()
    world = helpers.build(cast.tower_a, cast.captain_a, electors=5, candidates=3, seats=2, open_voting=False)
    election = world.election
    for name, candidate in zip(("郑丽", "林晓", "周文博"), world.candidates, strict=True):
        candidate.name = name
        candidate.save()
    actions.electors_issue_anonymous(
        scope=actor_scope(cast.captain_a), actor=cast.captain_a, election=election, company=world.companies[0], count=3
    )
    actions.election_open(scope=actor_scope(cast.captain_a), election=election)
    # The captain prints the company's slips (once); each slip's QR code opens the voting page with its code.
    captain = Client()
    captain.force_login(cast.captain_a)
    batch = election.code_batches.get()
    slips = captain.get(reverse("election-codes", args=[election.key, batch.pk, "slips"])).content.decode()
    batch.refresh_from_db()
    assert (
        batch.codes == [] and batch.downloaded_at is not None
    )  # the clear codes are gone from the database after the download...
    code = _first_code(slips)  # ...and live only on paper
    assert captain.get(reverse("election-codes", args=[election.key, batch.pk, "slips"])).status_code == 409

    page = phone_page
    page.goto(live_server.url + reverse("election", args=[election.key]))
    assert "投票中" in page.content() and "郑丽" in page.content()
    screenshot(page, "election-voting-phone")

    page.goto(vote_url(election, code))  # what scanning the slip does
    assert page.input_value("#id_code") == code
    assert "#c=" not in page.url  # the code does not stay in the address bar or history
    screenshot(page, "election-code-phone")
    page.get_by_role("button", name="继续").click()
    page.get_by_text("郑丽").click()
    page.get_by_text("周文博").click()
    assert page.locator("input[name=candidates]:disabled").count() == 1  # two seats: the third box is locked
    screenshot(page, "election-choose-phone")
    page.get_by_role("button", name="核对我的选票").click()
    assert "您将投票给" in page.content()
    page.get_by_role("button", name="投出选票").click()
    receipt = page.locator("#receipt").inner_text().strip()
    assert len(receipt) == 11
    assert "请保存回执" in page.content()
    screenshot(page, "election-receipt-phone")
    assert Ballot.objects.filter(election=election).count() == 1
    assert Elector.objects.filter(election=election).exclude(voted="").count() == 1

    page.goto(live_server.url + reverse("election-check", args=[election.key]))
    page.fill("#id_receipt", receipt)
    page.get_by_role("button", name="查验").click()
    assert "投票结束后才能查验回执" in page.content()

    actions.election_close(scope=actor_scope(cast.captain_a), election=Election.objects.get(pk=election.pk))
    page.goto(live_server.url + reverse("election-check", args=[election.key]))
    page.fill("#id_receipt", receipt.lower())
    page.get_by_role("button", name="查验").click()
    assert "已计入结果" in page.locator(".receipt").inner_text()
    screenshot(page, "election-check-phone")
    page.goto(live_server.url + reverse("election", args=[election.key]))
    assert "当选" in page.content()
    screenshot(page, "election-results-phone")


def _first_code(html: str) -> str:
    import re

    match = re.search(r'class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<', html)
    assert match, "no code on the slips"
    return match.group(1)


def test_the_board_shows_the_new_roster_and_the_council_timeline_after_certification(
    live_server: Any, phone_page: Any, browser: Any
) -> None:
    cast = factories.build_cast()
    scope = actor_scope(cast.captain_a)
    world = helpers.build(cast.tower_a, cast.captain_a, electors=4, candidates=2, seats=1, open_voting=False)
    actions.electors_issue_anonymous(
        scope=scope, actor=cast.captain_a, election=world.election, company=world.companies[0], count=4
    )
    actions.election_open(scope=scope, election=world.election)
    for code in world.codes[:3]:
        actions.ballot_cast(election=world.election, code=code, candidate_ids=[world.candidates[1].pk])
    page = phone_page
    page.goto(live_server.url + reverse("board", args=[cast.tower_a.slug]))
    section = page.locator(".elections-section").inner_text()
    assert "投票 3 / 8" in section and "当选" not in section  # turnout only while voting
    screenshot(page, "election-board-voting-phone")

    # The captain prints the slips on A4 (desktop browser, signed in).
    context = browser.new_context(locale="zh-CN", viewport={"width": 900, "height": 1200})
    client = Client()
    client.force_login(cast.captain_a)
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    desk = context.new_page()
    batch = world.election.code_batches.get()
    desk.goto(live_server.url + reverse("election-codes", args=[world.election.key, batch.pk, "slips"]))
    assert desk.locator(".slip").count() == 4
    screenshot(desk, "election-slips-a4")
    context.close()

    actions.election_close(scope=scope, election=Election.objects.get(pk=world.election.pk))
    actions.election_certify(scope=scope, actor=cast.captain_a, election=Election.objects.get(pk=world.election.pk))
    page.goto(live_server.url + reverse("board", args=[cast.tower_a.slug]))
    page.locator(".roster summary").click()
    page.locator(".council-timeline summary").click()
    assert world.candidates[1].name in page.locator(".roster").inner_text()
    assert "陈委员" not in page.locator(".roster").inner_text()
    assert "陈委员" in page.locator(".council-timeline").inner_text()
    screenshot(page, "election-board-certified-phone")
