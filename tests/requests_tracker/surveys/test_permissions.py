"""The surveys' rows of the permission matrix: every role × every survey page, endpoint, export and admin page.

`[a]` is a survey of Shanghai Tower (captain_a's building; its results are not public yet), `[b]` one of
Jin Mao (captain_b's), `[d]` a survey of the whole Pudong district (district staff's). Outcomes: ok = 200
(201 for a creation), login = sent to the admin login, gone = the admin's "does not exist" redirect,
in/out = listed or not, other numbers = that HTTP status. Another building's captain gets a 404 for
anything of a survey that is not theirs (never a 403 that confirms it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from requests_tracker.surveys import actions
from requests_tracker.surveys.models import CodeBatch, Survey, TextAnswer
from tests import factories
from tests.requests_tracker.surveys.helpers import make_survey
from tests.requests_tracker.surveys.test_results import answer

pytestmark = pytest.mark.django_db

ROLES = ("captain_a", "captain_b", "member_a", "dept_staff", "district_staff", "resident", "anonymous", "superuser")

# fmt: off
MATRIX = """
#                              cap_a  cap_b  membr  dept   distr  resid  anon   super
# --- pages ----------------------------------------------------------------------------
page.answer[a]                 ok     ok     ok     ok     ok     ok     ok     ok
page.answer[draft]             ok     404    404    404    ok     404    404    ok
page.results[a]                ok     403    403    403    ok     403    403    ok
page.results[published]        ok     ok     ok     ok     ok     ok     ok     ok
page.export_csv[a]             ok     404    404    404    ok     404    404    ok
page.export_xlsx[b]            404    ok     404    404    ok     404    404    ok
page.codes[a]                  404    404    404    404    404    404    404    404
page.qr[a]                     ok     ok     ok     ok     ok     ok     ok     ok
page.poster[a]                 ok     ok     ok     ok     ok     ok     ok     ok
# --- the API ----------------------------------------------------------------------------
api.list[a]                    in     in     in     in     in     in     in     in
api.list[draft]                in     out    out    out    in     out    out    in
api.detail[draft]              ok     404    404    404    ok     404    404    ok
api.results[a]                 ok     403    403    403    ok     403    403    ok
api.results[published]         ok     ok     ok     ok     ok     ok     ok     ok
api.create[a]                  ok     403    403    403    403    403    403    ok
api.create[d]                  403    403    403    403    ok     403    403    ok
api.open[draft]                ok     404    404    404    404    404    403    ok
api.close[b]                   404    ok     404    404    404    404    403    ok
api.codes[a]                   ok     404    404    404    404    404    403    ok
api.codes[d]                   404    404    404    404    ok     404    403    ok
# --- the admin ---------------------------------------------------------------------------
survey.changelist              ok     ok     403    403    ok     login  login  ok
survey.row[a]                  in     out    403    403    in     login  login  in
survey.row[d]                  out    out    403    403    in     login  login  in
survey.add                     ok     ok     403    403    ok     login  login  ok
survey.change[a]               ok     gone   403    403    ok     login  login  ok
survey.change[b]               gone   ok     403    403    ok     login  login  ok
survey.delete[a]               403    403    403    403    403    login  login  ok
survey.history[a]              ok     gone   gone   gone   ok     login  login  ok
survey.codes[a]                ok     404    404    404    404    login  login  ok
textanswer.changelist          ok     ok     403    403    ok     login  login  ok
textanswer.row[a]              in     out    403    403    in     login  login  in
textanswer.add                 403    403    403    403    403    login  login  403
textanswer.change[a]           ok     gone   403    403    ok     login  login  ok
textanswer.delete[a]           403    403    403    403    403    login  login  403
textanswer.history[a]          ok     gone   gone   gone   ok     login  login  ok
textanswer.demand[a]           ok     404    404    404    404    login  login  ok
codebatch.changelist           ok     ok     403    403    ok     login  login  ok
codebatch.row[a]               in     out    403    403    in     login  login  in
codebatch.add                  403    403    403    403    403    login  login  403
codebatch.change[a]            ok     gone   403    403    ok     login  login  ok
codebatch.delete[a]            403    403    403    403    403    login  login  403
codebatch.history[a]           ok     gone   gone   gone   ok     login  login  ok
"""
# fmt: on


def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in MATRIX.strip().splitlines():
        if line.startswith("#"):
            continue
        key, *cells = line.split()
        assert len(cells) == len(ROLES) and key not in table, key
        table[key] = dict(zip(ROLES, cells, strict=True))
    return table


TABLE = _table()


@dataclass
class World:
    surveys: dict[str, Survey]
    texts: dict[str, TextAnswer]
    batches: dict[str, CodeBatch]
    companies: dict[str, Any]
    users: dict[str, Any]


def build_world() -> World:
    cast = factories.build_cast()
    companies = {
        "a": factories.CompanyFactory(building=cast.tower_a, name="摩根大通"),
        "b": factories.CompanyFactory(building=cast.tower_b, name="金茂企业"),
    }
    a = make_survey(cast.tower_a, cast.captain_a, audience="code", results="after_close")
    b = make_survey(cast.tower_b, cast.captain_b)
    d = make_survey(None, cast.district_staff, district=cast.tower_a.subdistrict.district, audience="code")  # type: ignore[arg-type]
    draft = make_survey(cast.tower_a, cast.captain_a, open_it=False)
    published = make_survey(cast.tower_a, cast.captain_a)
    actions.survey_move(survey=published, move="close", actor=cast.captain_a)
    actions.survey_move(survey=published, move="publish", actor=cast.captain_a)
    batch_a, codes = actions.codes_generate(survey=a, company=companies["a"], count=2, actor=cast.captain_a)
    actions.survey_respond(
        survey=a, answers=answer(a, single=0, picks=[0], rating=4, ranking=[0, 1, 2], text="加热柜"), code=codes[0]
    )
    users = {
        "captain_a": cast.captain_a,
        "captain_b": cast.captain_b,
        "member_a": cast.plain_member_user,
        "dept_staff": cast.dept_staff,
        "district_staff": cast.district_staff,
        "resident": cast.resident,
        "anonymous": None,
        "superuser": cast.superuser,
    }
    return World(
        surveys={"a": a, "b": b, "d": d, "draft": draft, "published": published},
        texts={"a": TextAnswer.objects.get(survey=a)},
        batches={"a": batch_a},
        companies=companies,
        users=users,
    )


def _page(response: Any) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "login"
        if location == reverse("admin:index"):
            return "gone"
        return "redirect:" + location
    return "ok" if response.status_code in (200, 201) else str(response.status_code)


def _create_body(target: str, world: World) -> dict[str, Any]:
    place = {"building": "shanghai-tower"} if target == "a" else {"district": "pudong"}
    return {
        **place,
        "title": "午餐需求调查",
        "questions": [
            {
                "kind": "single",
                "text": "午餐在哪吃？",
                "required": True,
                "options": [{"text": "食堂"}, {"text": "外卖"}],
            }
        ],
    }


class Prober:
    def __init__(self, world: World, client: Client) -> None:
        self.world = world
        self.client = client

    def listed(self, url: str, pks: set[Any], obj: Any) -> str:
        response = self.client.get(url)
        page = _page(response)
        if page != "ok":
            return page
        return "in" if obj.pk in {o.pk for o in response.context["cl"].result_list} else "out"

    def cell(self, key: str) -> str:
        name, _, rest = key.partition(".")
        rest, _, target = rest.partition("[")
        target = target.rstrip("]")
        survey = self.world.surveys.get(target)
        c = self.client
        if name == "page":
            assert survey is not None
            urls = {
                "answer": f"/s/{survey.key}/",
                "results": f"/s/{survey.key}/results/",
                "export_csv": f"/s/{survey.key}/results/responses.csv",
                "export_xlsx": f"/s/{survey.key}/results/responses.xlsx",
                "codes": f"/s/{survey.key}/codes/",
                "qr": f"/s/{survey.key}/qr.png",
                "poster": f"/s/{survey.key}/poster/",
            }
            return _page(c.get(urls[rest]))
        if name == "api":
            if rest == "list":
                assert survey is not None
                keys = {s["key"] for s in c.get("/api/v1/surveys/").json()}
                return "in" if survey.key in keys else "out"
            if rest == "detail":
                return _page(c.get(f"/api/v1/surveys/{survey.key}/"))  # type: ignore[union-attr]
            if rest == "results":
                return _page(c.get(f"/api/v1/surveys/{survey.key}/results/"))  # type: ignore[union-attr]
            if rest == "create":
                return _page(
                    c.post("/api/v1/surveys/", _create_body(target, self.world), content_type="application/json")
                )
            if rest in ("open", "close"):
                assert survey is not None
                response = c.post(f"/api/v1/surveys/{survey.key}/{rest}/")
                if response.status_code == 200:  # put it back for the next role
                    Survey.objects.filter(pk=survey.pk).update(status=survey.status)
                return _page(response)
            if rest == "codes":
                assert survey is not None
                company = self.world.companies["a"]
                return _page(
                    c.post(
                        f"/api/v1/surveys/{survey.key}/codes/",
                        {"company": company.pk, "count": 1},
                        content_type="application/json",
                    )
                )
        objs: dict[str, Any] = {
            "survey": self.world.surveys,
            "textanswer": self.world.texts,
            "codebatch": self.world.batches,
        }
        obj = objs[name].get(target)
        prefix = f"admin:surveys_{name}"
        if rest == "changelist":
            return _page(c.get(reverse(f"{prefix}_changelist")))
        if rest == "row":
            return self.listed(reverse(f"{prefix}_changelist"), set(), obj)
        if rest == "add":
            return _page(c.get(reverse(f"{prefix}_add")))
        if rest in ("change", "delete", "history"):
            return _page(c.get(reverse(f"{prefix}_{rest}", args=[obj.pk])))
        if rest == "codes":
            return _page(c.get(reverse("admin:surveys_survey_codes", args=[obj.pk])))
        if rest == "demand":
            return _page(c.get(reverse("admin:surveys_textanswer_demand", args=[obj.pk])))
        raise AssertionError(key)


@pytest.mark.parametrize("role", ROLES)
def test_survey_permission_matrix(role: str) -> None:
    world = build_world()
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    prober = Prober(world, client)
    wrong = {}
    for key, row in TABLE.items():
        got = prober.cell(key)
        if got != row[role]:
            wrong[key] = f"expected {row[role]}, got {got}"
    assert wrong == {}
