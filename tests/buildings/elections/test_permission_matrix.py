"""The elections' rows of the permission matrix, and the embargo: every role × every page, endpoint,
export and admin page that could show a count, before close (`[v]`, voting, one ballot in the box)
and after (`[c]`, closed); `[d]` is a draft, `[b]` Jin Mao's election (captain_b's building).

Outcomes: ok = 200 and no count anywhere in it; count = 200 with the count; created = 201;
403 / 404 / 409 = refused with that status; login = sent to the admin login; gone = the admin's
"does not exist" redirect. The embargo is the rule that no `[v]` cell says `count`, superuser included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buildings.access import actor_scope
from buildings.elections import actions
from buildings.elections.models import Election
from buildings.models import Building, Company, User
from tests import factories
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db

ROLES = ("captain_a", "captain_b", "member_a", "dept_staff", "district_staff", "resident", "anonymous", "superuser")

# fmt: off
MATRIX = """
#                          cap_a    cap_b    membr    dept     distr    resid    anon     super
page.election[v]           ok       ok       ok       ok       ok       ok       ok       ok
page.election[c]           count    count    count    count    count    count    count    count
page.election[d]           ok       404      404      404      ok       404      404      ok
page.vote[v]               ok       ok       ok       ok       ok       ok       ok       ok
page.check[v]              409      409      409      409      409      409      409      409
page.check[c]              ok       ok       ok       ok       ok       ok       ok       ok
page.roll[v]               ok       404      ok       404      ok       404      login    ok
page.board[v]              ok       ok       ok       ok       ok       ok       ok       ok
page.board[c]              count    count    count    count    count    count    count    count
export.results[v]          403      403      403      403      403      403      403      403
export.results[c]          count    count    count    count    count    count    count    count
export.codes[d]            ok       404      404      404      ok       404      login    ok
api.list                   ok       ok       ok       ok       ok       ok       ok       ok
api.detail[v]              ok       ok       ok       ok       ok       ok       ok       ok
api.detail[d]              ok       404      404      404      ok       404      404      ok
api.results[v]             403      403      403      403      403      403      403      403
api.results[c]             count    count    count    count    count    count    count    count
api.receipt[v]             409      409      409      409      409      409      409      409
api.receipt[c]             ok       ok       ok       ok       ok       ok       ok       ok
api.create[a]              created  404      404      404      created  404      403      created
api.candidate[d]           created  404      404      404      created  404      404      created
api.candidate[b]           404      created  404      404      created  404      404      created
api.electors[d]            created  404      404      404      created  404      404      created
api.close[v]               ok       404      404      404      ok       404      404      ok
api.certify[c]             ok       404      404      404      ok       404      404      ok
api.paper_vote[v]          ok       404      ok       404      ok       404      404      ok
api.paper_totals[c]        ok       403      ok       403      403      403      403      403
screen.feed[v]             ok       ok       ok       ok       ok       ok       ok       ok
screen.feed[c]             count    count    count    count    count    count    count    count
admin.index                ok       ok       ok       ok       ok       login    login    ok
admin.changelist.count     ok       ok       403      403      ok       login    login    ok
election.changelist        ok       ok       403      403      ok       login    login    ok
election.add               ok       ok       403      403      ok       login    login    ok
election.change[v]         ok       gone     403      403      ok       login    login    ok
election.change[c]         count    gone     403      403      count    login    login    count
election.change[b]         gone     ok       403      403      ok       login    login    ok
election.delete[v]         403      403      403      403      403      login    login    403
election.history[v]        ok       gone     gone     gone     ok       login    login    ok
election.roll[d]           ok       404      404      404      ok       login    login    ok
"""
# fmt: on


def _parse(text: str) -> dict[str, dict[str, str]]:
    table = {}
    for line in text.strip().splitlines():
        if line.startswith("#"):
            continue
        key, *cells = line.split()
        assert len(cells) == len(ROLES), key
        table[key] = dict(zip(ROLES, cells, strict=True))
    return table


TABLE = _parse(MATRIX)
#: The admin pages this file covers, for tests/test_permission_matrix.py's "every admin is covered" check.
ADMIN_KEYS = {key for key in TABLE if key.startswith("election.")}

_VOTES = re.compile(r"\d+\s*(票|votes?)\b|— \d+")


@dataclass
class World:
    voting: Election
    closed: Election
    draft: Election
    other: Election
    receipt_v: str
    receipt_c: str
    batch_id: int
    elector_v: int
    users: dict[str, User | None]


def _world() -> World:
    cast = factories.build_cast()
    tower = cast.tower_a
    voting = helpers.build(tower, cast.captain_a, electors=6)
    closed = helpers.build(tower, cast.captain_a, electors=6)
    draft = helpers.build(tower, cast.captain_a, electors=1, open_voting=False)
    other = helpers.build(cast.tower_b, cast.captain_b, electors=1, open_voting=False)
    receipt_v = actions.ballot_cast(
        election=voting.election, code=voting.codes[0], candidate_ids=[voting.candidates[0].pk]
    )
    receipt_c = actions.ballot_cast(
        election=closed.election, code=closed.codes[0], candidate_ids=[closed.candidates[0].pk]
    )
    for elector_id in closed.elector_ids[1:3]:
        actions.elector_mark_paper(scope=actor_scope(cast.captain_a), election=closed.election, elector_id=elector_id)
    actions.election_close(scope=actor_scope(cast.captain_a), election=closed.election)
    issued = actions.electors_issue_anonymous(
        scope=actor_scope(cast.captain_a),
        actor=cast.captain_a,
        election=draft.election,
        company=draft.companies[0],
        count=2,
    )
    assert issued
    batch = draft.election.code_batches.get()
    return World(
        voting=voting.election,
        closed=Election.objects.get(pk=closed.election.pk),
        draft=draft.election,
        other=other.election,
        receipt_v=receipt_v,
        receipt_c=receipt_c,
        batch_id=batch.pk,
        elector_v=voting.elector_ids[1],
        users={
            "captain_a": cast.captain_a,
            "captain_b": cast.captain_b,
            "member_a": cast.plain_member_user,
            "dept_staff": cast.dept_staff,
            "district_staff": cast.district_staff,
            "resident": cast.resident,
            "anonymous": None,
            "superuser": cast.superuser,
        },
    )


def _outcome(response: Any, ok_status: int = 200) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "login"
        if location.startswith("/admin/"):
            return "gone"
        return f"redirect:{location}"
    if response.status_code == 201:
        return "created"
    if response.status_code != ok_status:
        return str(response.status_code)
    body = response.content.decode("utf-8", "replace")
    return "count" if _VOTES.search(body) or '"votes"' in body or '<ol class="results">' in body else "ok"


class Probe:
    def __init__(self, world: World, role: str) -> None:
        self.world = world
        self.client = Client()
        user = world.users[role]
        if user is not None:
            self.client.force_login(user)

    def election(self, tag: str) -> Election:
        return {"v": self.world.voting, "c": self.world.closed, "d": self.world.draft, "b": self.world.other}[tag]

    def run(self, key: str) -> str:
        name, _, tag = key.partition("[")
        tag = tag.rstrip("]")
        c = self.client
        e = self.election(tag) if tag in ("v", "c", "d", "b") else None
        k = e.key if e else ""
        post_json = lambda url, body=None: c.post(url, body or {}, content_type="application/json")  # noqa: E731
        if name == "page.election":
            return _outcome(c.get(reverse("election", args=[k])))
        if name == "page.vote":
            return _outcome(c.get(reverse("election-vote", args=[k])))
        if name == "page.check":
            receipt = self.world.receipt_v if tag == "v" else self.world.receipt_c
            return _outcome(c.post(reverse("election-check", args=[k]), {"receipt": receipt}))
        if name == "page.roll":
            return _outcome(c.get(reverse("election-roll", args=[k]) + "?q=选民"))
        if name == "page.board":
            if tag == "v":  # only the voting election on the board
                Election.objects.filter(pk=self.world.closed.pk).update(building=self.world.other.building)
            else:
                Election.objects.filter(pk=self.world.voting.pk).update(building=self.world.other.building)
            return _outcome(c.get(reverse("board", args=["shanghai-tower"])))
        if name == "export.results":
            response = c.get(reverse("election-results-export", args=[k, "csv"]))
            if response.status_code == 200 and response["Content-Type"].startswith("text/csv"):
                return "count" if "得票" in response.content.decode("utf-8-sig") else "ok"
            return _outcome(response)
        if name == "export.codes":
            return _outcome(c.get(reverse("election-codes", args=[k, self.world.batch_id, "csv"])))
        if name == "api.list":
            return _outcome(c.get("/api/v1/elections/?building=shanghai-tower"))
        if name == "api.detail":
            return _outcome(c.get(reverse("api-election", args=[k])))
        if name == "api.results":
            return _outcome(c.get(reverse("api-election-results", args=[k])))
        if name == "api.receipt":
            receipt = self.world.receipt_v if tag == "v" else self.world.receipt_c
            return _outcome(c.get(reverse("api-election-receipt", args=[k, receipt])))
        if name == "api.create":
            now = timezone.now()
            body = {
                "building": "shanghai-tower",
                "title": "t",
                "seats": 1,
                "opens_at": now.isoformat(),
                "closes_at": (now + timedelta(days=1)).isoformat(),
            }
            return _outcome(post_json("/api/v1/elections/", body))
        if name == "api.candidate":
            return _outcome(post_json(reverse("api-election-candidates", args=[k]), {"name": "新人"}))
        if name == "api.electors":
            company = Company.objects.filter(building=e.building).first() if e else None
            body = {"electors": [{"name": "新选民", "company": company.name if company else "", "ref": "NEW1"}]}
            return _outcome(post_json(reverse("api-election-electors", args=[k]), body))
        if name == "api.close":
            return _outcome(post_json(reverse("api-election-close", args=[k])))
        if name == "api.certify":
            self._confirm_paper()
            return _outcome(post_json(reverse("api-election-certify", args=[k])))
        if name == "api.paper_vote":
            return _outcome(post_json(reverse("api-election-paper-vote", args=[k, self.world.elector_v])))
        if name == "api.paper_totals":
            totals = {str(self.world.closed.candidates.first().pk): 2}  # type: ignore[union-attr]
            return _outcome(post_json(reverse("api-election-paper-totals", args=[k]), {"totals": totals}))
        if name == "screen.feed":
            other = self.world.closed if tag == "v" else self.world.voting
            Election.objects.filter(pk=other.pk).update(building=self.world.other.building)
            return _outcome(c.get(reverse("api-screen", args=["shanghai-tower"])))
        if name == "admin.index":
            return _outcome(c.get(reverse("admin:index")))
        if name == "admin.changelist.count":
            return _outcome(c.get(reverse("admin:elections_election_changelist")))
        if name == "election.changelist":
            return _outcome(c.get(reverse("admin:elections_election_changelist")))
        if name == "election.add":
            return _outcome(c.get(reverse("admin:elections_election_add")))
        if name in ("election.change", "election.delete", "election.history"):
            page = name.split(".")[1]
            return _outcome(c.get(reverse(f"admin:elections_election_{page}", args=[e.pk])))  # type: ignore[union-attr]
        if name == "election.roll":
            return _outcome(c.get(reverse("admin:elections_election_roll", args=[e.pk])))  # type: ignore[union-attr]
        raise AssertionError(f"no probe for {key}")

    def _confirm_paper(self) -> None:
        """Paper totals entered and confirmed by two members, so only scope decides certification."""
        election = self.world.closed
        candidate = election.candidates.first()
        assert candidate is not None
        Election.objects.filter(pk=election.pk).update(paper_totals={str(candidate.pk): 2})
        from buildings.models import CouncilMember

        members = list(CouncilMember.objects.filter(council__building=election.building)[:2])
        Election.objects.filter(pk=election.pk).update(paper_entered_by=members[0], paper_confirmed_by=members[1])


@pytest.mark.parametrize("role", ROLES)
def test_the_elections_matrix(role: str) -> None:
    observed = {}
    for key in TABLE:
        world = _world_cache()
        observed[key] = Probe(world, role).run(key)
        _reset()
    wrong = {key: f"expected {TABLE[key][role]}, got {got}" for key, got in observed.items() if got != TABLE[key][role]}
    assert not wrong, "\n".join(f"{key}: {why}" for key, why in wrong.items())


def test_no_cell_before_close_shows_a_count() -> None:
    for key, row in TABLE.items():
        if "[v]" in key:
            assert "count" not in row.values(), key


# Each probe may change the world (close, certify, move an election): each runs in a savepoint of its own.
_state: dict[str, Any] = {}


def _world_cache() -> World:
    from django.db import transaction

    if "world" not in _state:
        _state["world"] = _world()
    _state["sid"] = transaction.savepoint()
    return _state["world"]


def _reset() -> None:
    from django.db import transaction

    transaction.savepoint_rollback(_state.pop("sid"))
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_state() -> Any:
    _state.clear()
    yield
    _state.clear()


assert Building  # re-exported for readers of this table
