"""The permission matrix of the three lists: every role × every page, endpoint and admin page.

`[a]` is Shanghai Tower's (captain_a's building), `[i]` an internal (not public) project of Shanghai
Tower. Outcomes: HTTP status codes; login = sent to the admin login; gone = the admin's "does not
exist" redirect; in/out = listed or not in the admin's list. `tests/test_permission_matrix.py`
counts the admin rows here as covering the two admins this package registers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from requests_tracker.projects import actions
from requests_tracker.projects.models import Project
from services.resources.models import Resource
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at

from .helpers import make_project

pytestmark = pytest.mark.django_db

ROLES = ("captain_a", "captain_b", "dept_staff", "district_staff", "resident", "anonymous", "superuser")

# fmt: off
MATRIX = """
#                          cap_a  cap_b  dept   distr  resid  anon   super
# --- public pages ---------------------------------------------------------
page.lists[a]              200    200    200    200    200    200    200
page.projects[a]           200    200    200    200    200    200    200
page.resources[a]          200    200    200    200    200    200    200
page.area_resources        200    200    200    200    200    200    200
page.project[a]            200    200    200    200    200    200    200
page.project[i]            200    404    404    200    404    404    200
page.update[a]             302    404    404    404    404    404    302
page.complete[i]           302    404    404    404    404    404    302
page.status[i]             302    404    404    404    404    404    302
# --- API -------------------------------------------------------------------
api.projects.list          200    200    200    200    200    200    200
api.project[a]             200    200    200    200    200    200    200
api.project[i]             200    404    404    200    404    404    200
api.projects.create[a]     201    403    403    403    403    403    201
api.link[a]                201    404    404    404    404    403    201
api.unlink[a]              204    404    404    404    404    403    204
api.updates[a]             201    404    404    404    404    403    201
api.status[a]              200    404    404    404    404    403    200
api.complete[a]            200    404    404    404    404    403    200
api.resources.list         200    200    200    200    200    200    200
api.resources.create[a]    201    403    403    403    403    403    201
api.resources.create[fire] 403    403    201    403    403    403    201
# --- admin -----------------------------------------------------------------
project.changelist         200    200    200    200    login  login  200
project.row[a]             in     out    out    in     login  login  in
project.add                200    200    403    403    login  login  200
project.change[a]          200    gone   gone   200    login  login  200
project.delete[a]          403    403    403    403    login  login  200
project.history[a]         200    gone   gone   200    login  login  200
resource.changelist        200    200    200    200    login  login  200
resource.row[a]            in     out    out    in     login  login  in
resource.add               200    200    200    403    login  login  200
resource.change[a]         200    gone   gone   200    login  login  200
resource.delete[a]         403    403    403    403    login  login  200
resource.history[a]        200    gone   gone   200    login  login  200
"""
# fmt: on

TABLE: dict[str, dict[str, str]] = {}
for line in MATRIX.strip().splitlines():
    if line.startswith("#"):
        continue
    key, *cells = line.split()
    TABLE[key] = dict(zip(ROLES, cells, strict=True))

#: The admin pages this file covers (tests/test_permission_matrix.py asks for them).
ADMIN_KEYS = frozenset(key for key in TABLE if key.split(".")[0] in ("project", "resource"))


def _outcome(response: Any) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if "/admin/login/" in location:
            return "login"
        if location.rstrip("/").endswith("/admin") or "/admin/?" in location or location == "/admin/":
            return "gone"
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_the_three_lists_matrix(cast: factories.Cast, role: str) -> None:
    user = None if role == "anonymous" else getattr(cast, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    resource = Resource.objects.create(
        title="1F 2号门外卖柜点位",
        kind="space",
        provider_kind="property",
        provider_name="物业",
        building=cast.tower_a,
        subdistrict=cast.tower_a.subdistrict,
        created_at=factories.now(),
        updated_at=factories.now(),
    )
    project = make_project(cast)
    internal = make_project(cast, title="内部项目", is_public=False)
    demand = demand_at(cast)
    linked = demand_at(cast)
    actions.project_link_demand(project=project, demand=linked, actor=None)
    pa, pi = project.pk, internal.pk

    def api(method: str, url: str, body: Any = None) -> Any:
        return getattr(client, method)(url, body, content_type="application/json")

    cells: dict[str, Any] = {
        "page.lists[a]": lambda: client.get("/b/shanghai-tower/lists/"),
        "page.projects[a]": lambda: client.get("/b/shanghai-tower/projects/"),
        "page.resources[a]": lambda: client.get("/b/shanghai-tower/resources/"),
        "page.area_resources": lambda: client.get("/area/lujiazui/resources/"),
        "page.project[a]": lambda: client.get(f"/p/{pa}/"),
        "page.project[i]": lambda: client.get(f"/p/{pi}/"),
        "page.update[a]": lambda: client.post(f"/p/{pa}/update/", {"text": "进展", "progress": 20, "is_public": "on"}),
        "page.status[i]": lambda: client.post(f"/p/{pi}/status/", {"status": "in_progress"}),
        "page.complete[i]": lambda: client.post(f"/p/{pi}/complete/", {"note": "完成"}),
        "api.projects.list": lambda: client.get("/api/v1/projects/"),
        "api.project[a]": lambda: client.get(f"/api/v1/projects/{pa}/"),
        "api.project[i]": lambda: client.get(f"/api/v1/projects/{pi}/"),
        "api.projects.create[a]": lambda: api(
            "post", "/api/v1/projects/", {"building": "shanghai-tower", "title": "新项目"}
        ),
        "api.link[a]": lambda: api("post", f"/api/v1/projects/{pa}/demands/", {"demand": demand.pk}),
        "api.unlink[a]": lambda: api("delete", f"/api/v1/projects/{pa}/demands/", {"demand": linked.pk}),
        "api.updates[a]": lambda: api("post", f"/api/v1/projects/{pa}/updates/", {"text": "进展", "progress": 30}),
        "api.status[a]": lambda: api("post", f"/api/v1/projects/{pa}/status/", {"status": "in_progress"}),
        "api.complete[a]": lambda: api("post", f"/api/v1/projects/{pa}/complete/", {"note": "完成"}),
        "api.resources.list": lambda: client.get("/api/v1/resources/?building=shanghai-tower"),
        "api.resources.create[a]": lambda: api(
            "post",
            "/api/v1/resources/",
            {
                "building": "shanghai-tower",
                "title": "活动室",
                "kind": "space",
                "provider_kind": "owner",
                "provider_name": "业主",
            },
        ),
        "api.resources.create[fire]": lambda: api(
            "post",
            "/api/v1/resources/",
            {
                "subdistrict": "lujiazui",
                "department": "fire",
                "title": "消防培训",
                "kind": "service",
                "provider_kind": "department",
                "provider_name": "区消防救援支队",
            },
        ),
        "project.changelist": lambda: client.get("/admin/projects/project/"),
        "project.add": lambda: client.get("/admin/projects/project/add/"),
        "project.change[a]": lambda: client.get(f"/admin/projects/project/{pa}/change/"),
        "project.delete[a]": lambda: client.get(f"/admin/projects/project/{pa}/delete/"),
        "project.history[a]": lambda: client.get(f"/admin/projects/project/{pa}/history/"),
        "resource.changelist": lambda: client.get("/admin/resources/resource/"),
        "resource.add": lambda: client.get("/admin/resources/resource/add/"),
        "resource.change[a]": lambda: client.get(f"/admin/resources/resource/{resource.pk}/change/"),
        "resource.delete[a]": lambda: client.get(f"/admin/resources/resource/{resource.pk}/delete/"),
        "resource.history[a]": lambda: client.get(f"/admin/resources/resource/{resource.pk}/history/"),
    }
    rows = {
        "project.row[a]": ("/admin/projects/project/", f"/admin/projects/project/{pa}/change/"),
        "resource.row[a]": ("/admin/resources/resource/", f"/admin/resources/resource/{resource.pk}/change/"),
    }
    wrong = []
    for key, expected in ((k, TABLE[k][role]) for k in TABLE):
        if key in rows:
            url, link = rows[key]
            response = client.get(url)
            got = _outcome(response)
            if got == "200":
                got = "in" if link in response.content.decode() else "out"
        else:
            got = _outcome(cells[key]())
        if got != expected:
            wrong.append(f"{key}: expected {expected}, got {got}")
    assert wrong == []
    if role not in ("captain_a", "superuser"):
        # Nothing a refused request tried was written.
        assert Project.objects.get(pk=pa).status == Project.Status.PLANNED
        assert not project.updates.exists()
