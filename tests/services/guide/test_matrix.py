"""#13's rows of the permission matrix: each role × each page, endpoint and admin page of the feature."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

#: The admins this file covers (tests/test_permission_matrix.py accepts them as covered here).
ADMINS = ("matter", "hallservice", "hallrequest", "servicecategory", "question", "categorymatter")

ROLES = ("anonymous", "resident", "captain_a", "captain_b", "dept_staff", "district_staff", "superuser")

PUBLIC = [
    "/guide/",
    "/guide/fire/",
    "/ask/",
    "/cases/?q=外卖柜",
    "/hall/",
    "/hall/health-slot/",
    "/api/v1/guide/",
    "/api/v1/services/",
    "/api/v1/services/health-slot/",
    "/api/v1/search/?q=外卖柜",
]

# admin changelist → the roles that reach it (200); everyone else is sent to log in or refused.
ADMIN_ACCESS = {
    "guide/matter": {"dept_staff", "district_staff", "superuser"},
    "guide/hallservice": {"dept_staff", "district_staff", "superuser"},
    "hall/hallrequest": {"dept_staff", "superuser"},
    "hall/servicecategory": {"superuser"},
    "ask/question": {"captain_a", "captain_b", "dept_staff", "superuser"},
    "search/categorymatter": {"superuser"},
}


def _login(client: Any, world: Any, role: str) -> None:
    if role != "anonymous":
        client.force_login(getattr(world, role))


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_are_open_to_everyone(client: Any, world: Any, role: str) -> None:
    _login(client, world, role)
    for url in PUBLIC:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(ADMIN_ACCESS))
def test_admin_pages_reach_exactly_their_roles(client: Any, world: Any, role: str, page: str) -> None:
    _login(client, world, role)
    for suffix in ("", "add/"):
        status = client.get(f"/admin/{page}/{suffix}").status_code
        allowed = role in ADMIN_ACCESS[page] and (
            suffix == ""
            or (page in ("guide/matter", "guide/hallservice") and role in ("dept_staff", "superuser"))
            or (page in ("hall/servicecategory", "search/categorymatter") and role == "superuser")
        )
        assert (status == 200) == allowed, (page, suffix, role, status)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_department_edits_its_matter_and_reads_hall_answers(client: Any, world: Any, role: str) -> None:
    _login(client, world, role)
    response = client.post(
        "/api/v1/services/health-slot/requests/",
        {"building": "shanghai-tower", "answers": {"doctor": "gp", "when": "2026-12-03T12:00", "people": 1}},
        content_type="application/json",
    )
    assert response.status_code == 201
    from requests_tracker.hall.models import HallRequest

    hall = HallRequest.objects.get()
    change = client.get(f"/admin/guide/matter/{world.matter.pk}/change/")
    answers = client.get(f"/admin/hall/hallrequest/{hall.pk}/change/")
    can_edit = role in ("dept_staff", "superuser")
    assert (change.status_code == 200 and b'name="title"' in change.content) == can_edit
    assert (answers.status_code == 200 and "全科" in answers.content.decode()) == can_edit
