"""The permission matrix: every role × every admin page and API endpoint × own and other building.

One parametrized test (one run per role) checks every cell of the table below and reports the ones
that differ. Roles are the columns; rows are pages, `[a]` Shanghai Tower (captain_a's own building,
its demand routed to the fire brigade), `[b]` Jin Mao (captain_b's, its demand waiting), `[c]` a
building of Putuo district (outside the Pudong district staff's district). Every demand is private
(not on the public board), so only scope can make it visible.

Outcomes: ok = 200; login = sent to the admin login; 403 = refused; gone = the admin's "does not exist"
redirect (the same as for an id that does not exist); 404; in/out = listed or not; stale = allowed to
act, refused only because the version sent is old (nothing changes); forbidden = seen, not allowed to act;
409 = the API's "allowed but the version is old".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token, TokenProxy

from buildings.models import Company, CouncilMember
from requests_tracker import actions
from requests_tracker.models import (
    Channel,
    ChannelOptOut,
    Demand,
    DemandEvent,
    Escalation,
    Notification,
    ResponseTemplate,
    WebhookEndpoint,
)
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = (
    "captain_a",
    "captain_b",
    "triager_a",
    "member_a",
    "dept_staff",
    "district_staff",
    "resident",
    "anonymous",
    "superuser",
)

# fmt: off
MATRIX = """
#                                     cap_a  cap_b  triag  membr  dept   distr  resid  anon   super
# --- demands: the triage and work queues -----------------------------------------------------------
demand.changelist                     ok     ok     ok     ok     ok     ok     login  login  ok
demand.row[a]                         in     out    in     in     in     in     login  login  in
demand.row[b]                         out    in     out    out    out    in     login  login  in
demand.row[c]                         out    out    out    out    out    out    login  login  in
demand.add                            ok     ok     ok     403    403    403    login  login  ok
demand.change[a]                      ok     gone   ok     ok     ok     ok     login  login  ok
demand.change[b]                      gone   ok     gone   gone   gone   ok     login  login  ok
demand.change[c]                      gone   gone   gone   gone   gone   gone   login  login  ok
demand.edit[a]                        saved  gone   saved  403    403    403    login  login  saved
demand.edit[b]                        gone   saved  gone   403    403    403    login  login  saved
demand.delete[a]                      403    403    403    403    403    403    login  login  ok
demand.delete[c]                      403    403    403    403    403    403    login  login  ok
demand.history[a]                     ok     gone   ok     ok     ok     ok     login  login  ok
demand.history[b]                     gone   ok     gone   gone   gone   ok     login  login  ok
demand.history[c]                     gone   gone   gone   gone   gone   gone   login  login  ok
demand.transition[a]                  stale  404    stale  forbid stale  forbid login  login  stale
demand.transition[b]                  404    stale  404    404    404    forbid login  login  stale
demand.transition[c]                  404    404    404    404    404    404    login  login  stale
demand.note[a]                        noted  404    noted  forbid noted  forbid login  login  noted
demand.note[b]                        404    noted  404    404    404    forbid login  login  noted
demand.merge[a]                       stale  404    stale  forbid forbid forbid login  login  stale
demand.merge[b]                       404    stale  404    404    404    forbid login  login  stale
demand.export[a]                      in     out    in     in     in     in     login  login  in
demand.export[b]                      out    in     out    out    out    in     login  login  in
demand.export[c]                      out    out    out    out    out    out    login  login  in
demand.xlsx                           ok     ok     ok     ok     ok     ok     login  login  ok
demand.autocomplete.building          403    403    403    403    403    ok     login  login  ok
# "show" on the masked contact details: logged, then shown (shown = back on the change page)
demand.contact[a]                     shown  404    shown  shown  shown  shown  login  login  shown
demand.contact[b]                     404    shown  404    404    404    shown  login  login  shown
demand.contact[c]                     404    404    404    404    404    404    login  login  shown
# --- the timeline and templates -------------------------------------------------------------------
demandevent.changelist                403    403    403    403    403    403    login  login  ok
demandevent.add                       403    403    403    403    403    403    login  login  403
demandevent.change[a]                 403    403    403    403    403    403    login  login  ok
demandevent.change[c]                 403    403    403    403    403    403    login  login  ok
demandevent.history[a]                403    403    403    403    403    403    login  login  ok
demandevent.delete[a]                 403    403    403    403    403    403    login  login  403
responsetemplate.changelist           403    403    403    403    403    403    login  login  ok
responsetemplate.add                  403    403    403    403    403    403    login  login  ok
responsetemplate.change               403    403    403    403    403    403    login  login  ok
responsetemplate.delete               403    403    403    403    403    403    login  login  ok
responsetemplate.history              403    403    403    403    403    403    login  login  ok
responsetemplate.autocomplete.category 403   403    403    403    403    403    login  login  ok
category.changelist                   403    403    403    403    403    403    login  login  ok
category.add                          403    403    403    403    403    403    login  login  ok
category.change                       403    403    403    403    403    403    login  login  ok
category.delete                       403    403    403    403    403    403    login  login  ok
category.history                      403    403    403    403    403    403    login  login  ok
category.autocomplete.default_department 403 403    403    403    403    ok     login  login  ok
# --- places and people: district staff read their district, nobody else but superusers ------------
building.changelist                   403    403    403    403    403    ok     login  login  ok
building.add                          403    403    403    403    403    403    login  login  ok
building.change[a]                    403    403    403    403    403    ok     login  login  ok
building.change[b]                    403    403    403    403    403    ok     login  login  ok
building.change[c]                    403    403    403    403    403    gone   login  login  ok
building.edit[a]                      403    403    403    403    403    403    login  login  saved
building.delete[a]                    403    403    403    403    403    403    login  login  ok
building.history[a]                   403    403    403    403    403    ok     login  login  ok
building.history[c]                   403    403    403    403    403    gone   login  login  ok
building.autocomplete.subdistrict     403    403    403    403    403    ok     login  login  ok
company.changelist                    403    403    403    403    403    ok     login  login  ok
company.add                           403    403    403    403    403    403    login  login  ok
company.change[a]                     403    403    403    403    403    ok     login  login  ok
company.change[c]                     403    403    403    403    403    gone   login  login  ok
company.delete[a]                     403    403    403    403    403    403    login  login  ok
company.history[a]                    403    403    403    403    403    ok     login  login  ok
company.autocomplete.building         403    403    403    403    403    ok     login  login  ok
council.changelist                    403    403    403    403    403    ok     login  login  ok
council.add                           403    403    403    403    403    403    login  login  ok
council.change[a]                     403    403    403    403    403    ok     login  login  ok
council.change[b]                     403    403    403    403    403    ok     login  login  ok
council.change[c]                     403    403    403    403    403    gone   login  login  ok
council.delete[a]                     403    403    403    403    403    403    login  login  ok
council.history[a]                    403    403    403    403    403    ok     login  login  ok
council.autocomplete.building         403    403    403    403    403    ok     login  login  ok
councilmember.changelist              403    403    403    403    403    ok     login  login  ok
councilmember.add                     403    403    403    403    403    403    login  login  ok
councilmember.change[a]               403    403    403    403    403    ok     login  login  ok
councilmember.change[c]               403    403    403    403    403    gone   login  login  ok
councilmember.delete[a]               403    403    403    403    403    403    login  login  ok
councilmember.history[a]              403    403    403    403    403    ok     login  login  ok
councilmember.autocomplete.council    403    403    403    403    403    ok     login  login  ok
councilmember.autocomplete.user       403    403    403    403    403    403    login  login  ok
councilmember.autocomplete.company    403    403    403    403    403    ok     login  login  ok
district.changelist                   403    403    403    403    403    ok     login  login  ok
district.add                          403    403    403    403    403    403    login  login  ok
district.change[a]                    403    403    403    403    403    ok     login  login  ok
district.change[c]                    403    403    403    403    403    gone   login  login  ok
district.delete[a]                    403    403    403    403    403    403    login  login  ok
district.history[a]                   403    403    403    403    403    ok     login  login  ok
district.autocomplete.staff           403    403    403    403    403    403    login  login  ok
subdistrict.changelist                403    403    403    403    403    ok     login  login  ok
subdistrict.add                       403    403    403    403    403    403    login  login  ok
subdistrict.change[a]                 403    403    403    403    403    ok     login  login  ok
subdistrict.change[c]                 403    403    403    403    403    gone   login  login  ok
subdistrict.delete[a]                 403    403    403    403    403    403    login  login  ok
subdistrict.history[a]                403    403    403    403    403    ok     login  login  ok
subdistrict.autocomplete.district     403    403    403    403    403    ok     login  login  ok
department.changelist                 403    403    403    403    403    ok     login  login  ok
department.add                        403    403    403    403    403    403    login  login  ok
department.change[a]                  403    403    403    403    403    ok     login  login  ok
department.change[c]                  403    403    403    403    403    gone   login  login  ok
department.delete[a]                  403    403    403    403    403    403    login  login  ok
department.history[a]                 403    403    403    403    403    ok     login  login  ok
department.autocomplete.district      403    403    403    403    403    ok     login  login  ok
department.autocomplete.staff         403    403    403    403    403    403    login  login  ok
# --- notifications: the outbox holds people's addresses, so superusers only ----------------------
notification.changelist               403    403    403    403    403    403    login  login  ok
notification.add                      403    403    403    403    403    403    login  login  403
notification.change                   403    403    403    403    403    403    login  login  ok
notification.delete                   403    403    403    403    403    403    login  login  403
notification.history                  403    403    403    403    403    403    login  login  ok
webhookendpoint.changelist            403    403    403    403    403    403    login  login  ok
webhookendpoint.add                   403    403    403    403    403    403    login  login  ok
webhookendpoint.change                403    403    403    403    403    403    login  login  ok
webhookendpoint.delete                403    403    403    403    403    403    login  login  ok
webhookendpoint.history               403    403    403    403    403    403    login  login  ok
channeloptout.changelist              403    403    403    403    403    403    login  login  ok
channeloptout.add                     403    403    403    403    403    403    login  login  ok
channeloptout.change                  403    403    403    403    403    403    login  login  ok
channeloptout.delete                  403    403    403    403    403    403    login  login  ok
channeloptout.history                 403    403    403    403    403    403    login  login  ok
escalation.changelist                 403    403    403    403    403    403    login  login  ok
escalation.add                        403    403    403    403    403    403    login  login  403
escalation.change                     403    403    403    403    403    403    login  login  ok
escalation.delete                     403    403    403    403    403    403    login  login  ok
escalation.history                    403    403    403    403    403    403    login  login  ok
webhookendpoint.autocomplete.department 403  403    403    403    403    ok     login  login  ok
# --- the access log of contact details shown: district staff (their district) and superusers; read-only
contactreveal.changelist              403    403    403    403    403    ok     login  login  ok
contactreveal.add                     403    403    403    403    403    403    login  login  403
contactreveal.change[a]               403    403    403    403    403    ok     login  login  ok
contactreveal.change[c]               403    403    403    403    403    gone   login  login  ok
contactreveal.delete[a]               403    403    403    403    403    403    login  login  403
contactreveal.history[a]              403    403    403    403    403    ok     login  login  ok
contactreveal.history[c]              403    403    403    403    403    gone   login  login  ok
# --- accounts ---------------------------------------------------------------------------------------
user.changelist                       403    403    403    403    403    403    login  login  ok
user.add                              403    403    403    403    403    403    login  login  ok
user.change                           403    403    403    403    403    403    login  login  ok
user.delete                           403    403    403    403    403    403    login  login  ok
user.history                          403    403    403    403    403    403    login  login  ok
group.changelist                      403    403    403    403    403    403    login  login  ok
group.add                             403    403    403    403    403    403    login  login  ok
group.change                          403    403    403    403    403    403    login  login  ok
group.delete                          403    403    403    403    403    403    login  login  ok
group.history                         403    403    403    403    403    403    login  login  ok
accessattempt.changelist              403    403    403    403    403    403    login  login  ok
accessattempt.add                     403    403    403    403    403    403    login  login  403
accessattempt.change                  403    403    403    403    403    403    login  login  ok
accessattempt.delete                  403    403    403    403    403    403    login  login  ok
accessattempt.history                 403    403    403    403    403    403    login  login  ok
tokenproxy.changelist                    403    403    403    403    403    403    login  login  ok
tokenproxy.add                        403    403    403    403    403    403    login  login  ok
tokenproxy.change                     403    403    403    403    403    403    login  login  ok
tokenproxy.delete                     403    403    403    403    403    403    login  login  ok
tokenproxy.history                    403    403    403    403    403    403    login  login  ok
tokenproxy.autocomplete.user          403    403    403    403    403    403    login  login  ok
admin.index                           ok     ok     ok     ok     ok     ok     login  login  ok
# --- the API: an id out of scope is a 404, never a 403 that confirms it exists -----------------------
api.list[a]                           in     out    in     in     in     in     out    out    in
api.list[b]                           out    in     out    out    out    in     out    out    in
api.list[c]                           out    out    out    out    out    out    out    out    in
api.detail[a]                         ok     404    ok     ok     ok     ok     404    404    ok
api.detail[b]                         404    ok     404    404    404    ok     404    404    ok
api.detail[c]                         404    404    404    404    404    404    404    404    ok
api.transition[a]                     409    404    409    403    409    403    404    404    409
api.transition[b]                     404    409    404    404    404    403    404    404    409
api.transition[c]                     404    404    404    404    404    404    404    404    409
api.track[a]                          ok     ok     ok     ok     ok     ok     ok     ok     ok
api.track[c]                          ok     ok     ok     ok     ok     ok     ok     ok     ok
"""
# fmt: on


def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in MATRIX.strip().splitlines():
        if line.startswith("#"):
            continue
        key, *cells = line.split()
        assert len(cells) == len(ROLES), key
        assert key not in table, key
        table[key] = dict(zip(ROLES, cells, strict=True))
    return table


TABLE = _table()
CELLS = len(TABLE) * len(ROLES)


@dataclass
class World:
    cast: factories.Cast
    demands: dict[str, Demand]
    objects: dict[str, dict[str, Any]]
    users: dict[str, Any]


def build_world() -> World:
    cast = factories.build_cast()
    putuo = factories.DistrictFactory(slug="putuo", name="普陀区", name_en="Putuo District")
    changshou = factories.SubdistrictFactory(
        slug="changshou", name="长寿路街道", name_en="Changshou Road", district=putuo
    )
    pinggao = factories.BuildingFactory(
        slug="pinggao", name="平高国际大厦", name_en="Pinggao Plaza", subdistrict=changshou
    )
    council_c = factories.CouncilFactory(building=pinggao)
    member_c = factories.CouncilMemberFactory(council=council_c, role=CouncilMember.Role.CAPTAIN, display_name="赵楼长")
    police_putuo = factories.DepartmentFactory(code="putuo-police", name="普陀公安", district=putuo)
    triager = factories.UserFactory(username="triager_a", is_staff=True)
    factories.CouncilMemberFactory(council=cast.member_a.council, user=triager, display_name="周委员", can_triage=True)
    a = factories.make_demand(cast.tower_a, cast.category, title="A: 外卖上不了楼", is_public=False)
    a = actions.demand_transition(
        demand=a, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    b = factories.make_demand(cast.tower_b, cast.category, title="B: 金茂停车", is_public=False)
    c = factories.make_demand(pinggao, cast.category, title="C: 平高电梯", is_public=False)
    companies = {
        "a": Company.objects.create(building=cast.tower_a, name="摩根大通"),
        "b": Company.objects.create(building=cast.tower_b, name="金茂企业"),
        "c": Company.objects.create(building=pinggao, name="平高企业"),
    }
    Group.objects.create(name="captains")
    Token.objects.create(user=cast.captain_a)
    ResponseTemplate.objects.create(category=cast.category, title="已转交", body="已转交消防部门。")
    robot = WebhookEndpoint.objects.create(name="楼事会工作群", url="http://127.0.0.1:9/robot", department=cast.fire)
    objects: dict[str, dict[str, Any]] = {
        "demand": {"a": a, "b": b, "c": c},
        "demandevent": {k: DemandEvent.objects.filter(demand=d).first() for k, d in {"a": a, "b": b, "c": c}.items()},
        "building": {"a": cast.tower_a, "b": cast.tower_b, "c": pinggao},
        "company": companies,
        "council": {"a": cast.member_a.council, "b": cast.tower_b.council, "c": council_c},
        "councilmember": {"a": cast.member_a, "b": CouncilMember.objects.get(user=cast.captain_b), "c": member_c},
        "district": {"a": cast.tower_a.subdistrict.district, "c": putuo},
        "subdistrict": {"a": cast.tower_a.subdistrict, "c": changshou},
        "department": {"a": cast.fire, "c": police_putuo},
        "responsetemplate": {"": ResponseTemplate.objects.get()},
        "category": {"": cast.category},
        "user": {"": cast.resident},
        "group": {"": Group.objects.get()},
        "tokenproxy": {"": TokenProxy.objects.get()},
        "accessattempt": {
            "": AccessAttempt.objects.create(
                username="not-a-cast-member", ip_address="203.0.113.7", user_agent="", failures_since_start=3
            )
        },
        "notification": {"": Notification.objects.filter(demand=b).first()},
        "webhookendpoint": {"": robot},
        "channeloptout": {"": ChannelOptOut.objects.create(user=cast.captain_b, channel=Channel.EMAIL)},
        "escalation": {"": Escalation.objects.create(demand=b, step=1, level="captain", fired_at=timezone.now())},
        "contactreveal": {
            "a": actions.contact_reveal(demand=a, actor=cast.captain_a),
            "c": actions.contact_reveal(demand=c, actor=cast.superuser),
        },
    }
    users = {
        "captain_a": cast.captain_a,
        "captain_b": cast.captain_b,
        "triager_a": triager,
        "member_a": cast.plain_member_user,
        "dept_staff": cast.dept_staff,
        "district_staff": cast.district_staff,
        "resident": cast.resident,
        "anonymous": None,
        "superuser": cast.superuser,
    }
    return World(cast, {"a": a, "b": b, "c": c}, objects, users)


APP = {
    "demand": "requests_tracker",
    "demandevent": "requests_tracker",
    "responsetemplate": "requests_tracker",
    "category": "requests_tracker",
    "building": "buildings",
    "company": "buildings",
    "council": "buildings",
    "councilmember": "buildings",
    "district": "buildings",
    "subdistrict": "buildings",
    "user": "buildings",
    "department": "services",
    "group": "auth",
    "tokenproxy": "authtoken",
    "accessattempt": "axes",
    "notification": "requests_tracker",
    "webhookendpoint": "requests_tracker",
    "channeloptout": "requests_tracker",
    "escalation": "requests_tracker",
    "contactreveal": "requests_tracker",
}


def _page(response: Any) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "login"
        if location == reverse("admin:index"):
            return "gone"
        return "redirect:" + location
    return "ok" if response.status_code == 200 else str(response.status_code)


def _messages_outcome(response: Any) -> str:
    if response.status_code != 200 or not response.redirect_chain:
        return _page(response)
    first = _page_from_chain(response)
    if first != "followed":
        return first
    text = " ".join(str(m) for m in response.context["messages"]) if response.context else ""
    if "changed by someone else" in text:
        return "stale"
    if "may not" in text or "Only the building's council" in text:
        return "forbid"
    if "added" in text:
        return "noted"
    return "?" + text


def _page_from_chain(response: Any) -> str:
    location = response.redirect_chain[0][0]
    if location.startswith("/admin/login/"):
        return "login"
    return "followed"


class Prober:
    """Works out one cell's outcome for one client."""

    def __init__(self, world: World, client: Client) -> None:
        self.world = world
        self.client = client
        self._lists: dict[str, set[int] | str] = {}

    def listed(self, which: str) -> set[int] | str:
        if which not in self._lists:
            if which == "changelist":
                response = self.client.get(reverse("admin:requests_tracker_demand_changelist") + "?queue=all")
                page = _page(response)
                self._lists[which] = {d.pk for d in response.context["cl"].result_list} if page == "ok" else page
            elif which == "export":
                response = self.client.get(reverse("admin:requests_tracker_demand_export", args=["csv"]) + "?queue=all")
                page = _page(response)
                if page == "ok":
                    lines = response.content.decode("utf-8-sig").splitlines()[1:]
                    self._lists[which] = {int(line.split(",")[0]) for line in lines}
                else:
                    self._lists[which] = page
            else:
                response = self.client.get("/api/v1/demands/", {"page_size": 100})
                data = response.json()
                results = data["results"] if isinstance(data, dict) else data
                self._lists[which] = {row["id"] for row in results}
        return self._lists[which]

    def in_or_out(self, which: str, obj: Demand) -> str:
        found = self.listed(which)
        if isinstance(found, str):
            return found
        return "in" if obj.pk in found else "out"

    def cell(self, key: str) -> str:
        name, _, rest = key.partition(".")
        target = ""
        if "[" in rest:
            rest, target = rest[:-1].split("[")
        obj = self.world.objects.get(name, {}).get(target) if name in self.world.objects else None
        if obj is None and name in self.world.objects:
            obj = self.world.objects[name].get("")
        if name == "api":
            return self.api(rest, self.world.demands[target])
        if name == "admin":
            return _page(self.client.get(reverse("admin:index")))
        info = (APP[name], name)
        if rest == "changelist":
            return _page(self.client.get(reverse("admin:{}_{}_changelist".format(*info))))
        if rest == "row":
            return self.in_or_out("changelist", obj)
        if rest == "export":
            return self.in_or_out("export", obj)
        if rest == "xlsx":
            return _page(self.client.get(reverse("admin:requests_tracker_demand_export", args=["xlsx"])))
        if rest == "add":
            return _page(self.client.get(reverse("admin:{}_{}_add".format(*info))))
        if rest in ("change", "delete", "history"):
            return _page(self.client.get(reverse(f"admin:{info[0]}_{info[1]}_{rest}", args=[obj.pk])))
        if rest == "edit":
            return self.edit(name, obj)
        if rest == "transition":
            url = reverse("admin:requests_tracker_demand_transition", args=[obj.pk])
            data = {"action": "start", "start-action": "start", "start-version": 999}
            return _messages_outcome(self.client.post(url, data, follow=True))
        if rest == "note":
            url = reverse("admin:requests_tracker_demand_note", args=[obj.pk])
            return _messages_outcome(self.client.post(url, {"note": "矩阵", "is_public": "0"}, follow=True))
        if rest == "contact":
            url = reverse("admin:requests_tracker_demand_contact", args=[obj.pk])
            response = self.client.post(url)
            page = _page(response)
            return (
                "shown"
                if page == "redirect:" + reverse("admin:requests_tracker_demand_change", args=[obj.pk])
                else page
            )
        if rest == "merge":
            url = reverse("admin:requests_tracker_demand_merge", args=[obj.pk])
            into = Demand.objects.create(
                building=obj.building,
                category=obj.category,
                title="into",
                submitted_at=obj.submitted_at,
                updated_at=obj.submitted_at,
            )
            return _messages_outcome(self.client.post(url, {"version": 999, "into": into.pk}, follow=True))
        if rest.startswith("autocomplete."):
            field = rest.split(".", 1)[1]
            query = urlencode({"app_label": APP[name], "model_name": name, "field_name": field, "term": ""})
            return _page(self.client.get(reverse("admin:autocomplete") + "?" + query))
        raise AssertionError(f"no probe for {key}")

    def edit(self, name: str, obj: Any) -> str:
        """POSTs the change form with one harmless change, as if someone forged it; "saved" if it took."""
        url = reverse(f"admin:{APP[name]}_{name}_change", args=[obj.pk])
        if name == "demand":
            data = {
                "building": obj.building_id,
                "category": obj.category_id,
                "title": obj.title,
                "description": obj.description,
                "floor": "12",
                "seen_version": obj.version,
                "demandevent_set-TOTAL_FORMS": "0",
                "demandevent_set-INITIAL_FORMS": "0",
                "events-TOTAL_FORMS": "0",
                "events-INITIAL_FORMS": "0",
                "revisions-TOTAL_FORMS": "0",
                "revisions-INITIAL_FORMS": "0",
            }
            response = self.client.post(url, data)
            page = _page(response)
            if page == "redirect:" + reverse("admin:requests_tracker_demand_changelist"):
                obj.refresh_from_db()
                page = "saved" if obj.floor == 12 else "not-saved"
                Demand.objects.filter(pk=obj.pk).update(floor=None, version=obj.version)
            return page
        data = {
            "name": obj.name + "改",
            "name_en": obj.name_en,
            "slug": obj.slug,
            "subdistrict": obj.subdistrict_id,
            "address": obj.address,
            "floors": obj.floors,
            "basement_floors": obj.basement_floors,
            "population": obj.population or 0,
            "is_active": "on",
            "companies-TOTAL_FORMS": "0",
            "companies-INITIAL_FORMS": "0",
        }
        response = self.client.post(url, data)
        page = _page(response)
        if page.startswith("redirect:"):
            obj.refresh_from_db()
            page = "saved" if obj.name.endswith("改") else "not-saved"
        return page

    def api(self, what: str, demand: Demand) -> str:
        if what == "list":
            return self.in_or_out("api", demand)
        if what == "detail":
            return _page(self.client.get(f"/api/v1/demands/{demand.pk}/"))
        if what == "transition":
            response = self.client.post(
                f"/api/v1/demands/{demand.pk}/transitions/",
                {"action": "start", "version": 999},
                content_type="application/json",
            )
            return str(response.status_code)
        if what == "track":
            return _page(self.client.get(f"/api/v1/track/{demand.token}/"))
        raise AssertionError(what)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role: str) -> None:
    world = build_world()
    user = world.users[role]
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    prober = Prober(world, client)

    observed = {key: prober.cell(key) for key in TABLE}

    wrong = {key: f"expected {TABLE[key][role]}, got {got}" for key, got in observed.items() if got != TABLE[key][role]}
    assert not wrong, "\n".join(f"{key}: {why}" for key, why in wrong.items())
    # Nothing the probes did may have moved a demand.
    assert {d.pk: d.status for d in Demand.objects.filter(pk__in=[x.pk for x in world.demands.values()])} == {
        world.demands["a"].pk: "assigned",
        world.demands["b"].pk: "submitted",
        world.demands["c"].pk: "submitted",
    }


def test_the_matrix_covers_every_registered_admin() -> None:
    from django.contrib import admin

    # Feature packages keep their rows in their own matrix files, checked the same way.
    from tests.buildings.elections.test_permission_matrix import ADMIN_KEYS as ELECTION_KEYS
    from tests.requests_tracker.projects.test_lists_matrix import ADMIN_KEYS as LISTS_ADMIN_KEYS
    from tests.requests_tracker.surveys.test_permissions import TABLE as SURVEY_TABLE
    from tests.services.guide.test_matrix import ADMINS as GUIDE13_ADMINS

    covered = {*TABLE, *SURVEY_TABLE, *ELECTION_KEYS, *LISTS_ADMIN_KEYS}
    missing = []
    for model, model_admin in admin.site._registry.items():
        name = model._meta.model_name
        if name in GUIDE13_ADMINS:
            continue  # the guide's, hall's, questions' and search's admin rows: tests/services/guide/test_matrix.py
        for page in ("changelist", "add", "change", "delete", "history"):
            if not any(key == f"{name}.{page}" or key.startswith(f"{name}.{page}[") for key in covered):
                missing.append(f"{name}.{page}")
        superuser_request = type("R", (), {"user": type("U", (), {"is_superuser": True})()})()
        for field in model_admin.get_autocomplete_fields(superuser_request):
            if f"{name}.autocomplete.{field}" not in covered:
                missing.append(f"{name}.autocomplete.{field}")
    assert missing == []
