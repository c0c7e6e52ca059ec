"""The lobby screen in Chromium at 1920×1080: a change through the API shows within 5 s; when the
server goes away the screen keeps its state and says since when; it recovers by itself.

The server is our own `manage.py runserver --noreload` subprocess against the test database, so the
test can stop and restart it (pytest-django's live_server cannot be restarted).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from rest_framework.authtoken.models import Token

from requests_tracker import actions
from requests_tracker.models import Demand
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A runserver subprocess on the test database that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        db = settings.DATABASES["default"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lousihui.settings", "DEBUG": "1"}
        if db["ENGINE"].endswith("postgresql"):
            env["DATABASE_URL"] = (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                f"{db['NAME']}"
            )
        else:
            env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
        self.env = env

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz/", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def server() -> Iterator[Server]:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and "memory" in str(
        settings.DATABASES["default"]["NAME"]
    ):
        pytest.skip("an in-memory SQLite database cannot be shared with a server process")
    srv = Server()
    srv.start()
    yield srv
    srv.stop()


def _post(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _seed() -> tuple[factories.Cast, list[Demand]]:
    cast = factories.build_cast()
    demands = [
        factories.make_demand(cast.tower_a, cast.category, title=f"外卖无法上楼，一楼大堂交接混乱 {i}")
        for i in range(14)
    ]
    demands.append(
        factories.make_demand(
            cast.tower_a, cast.category, title="电梯坏了请联系13812345678或li.lei@example.com", show_company=True
        )
    )
    return cast, demands


def test_a_change_through_the_api_shows_within_5_seconds_and_the_screen_survives_a_restart(
    server: Server, browser: Any
) -> None:
    cast, demands = _seed()
    token = Token.objects.create(user=cast.captain_a).key
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{server.url}/screen/{cast.tower_a.slug}/")
    assert page.locator("#s-name").inner_text() == "上海中心大厦楼事会"
    assert page.locator("#f-received").inner_text() == "15"
    content = page.content()
    assert "13812345678" not in content and "li.lei@example.com" not in content
    # No scrollbars on a TV.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "screen-landscape")

    target = demands[0]
    _post(
        f"{server.url}/api/v1/demands/{target.pk}/transitions/",
        token,
        {"action": "assign", "version": target.version, "assignee_department": "fire", "note": "已转消防部门"},
    )
    started = time.monotonic()
    card = page.locator(f'.card[data-id="{target.pk}"]')
    card.locator(".steps li.current", has_text="已分派").wait_for(timeout=5000)
    assert time.monotonic() - started < 5
    assert "fresh" in (card.get_attribute("class") or "")
    assert page.locator("#f-in_progress").inner_text() == "1"

    server.stop()
    page.locator("#s-status.offline").wait_for(timeout=15_000)
    assert "连接中断" in page.locator("#s-status").inner_text()
    # The last state stays on the screen.
    assert card.locator(".steps li.current").inner_text() == "已分派"
    screenshot(page, "screen-offline")

    server.start()
    actions.demand_transition(demand=Demand.objects.get(pk=target.pk), action="start", actor=cast.captain_a)
    page.locator("#s-status:not(.offline)").wait_for(timeout=20_000)
    card.locator(".steps li.current", has_text="办理中").wait_for(timeout=5000)
    context.close()


def test_portrait_screen_and_area_screen(server: Server, browser: Any) -> None:
    cast, _ = _seed()
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{server.url}/screen/{cast.tower_a.slug}/")
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    visible = page.locator(".card:visible").count()
    assert 1 <= visible < 15  # the list pages by itself
    assert "第 1 / " in page.locator("#s-page").inner_text()
    screenshot(page, "screen-portrait")

    area = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = area.new_page()
    page.goto(f"{server.url}/screen/area/lujiazui/")
    assert page.locator("#s-buildings tr").first.inner_text().startswith("上海中心大厦")
    screenshot(page, "screen-area-landscape")
    context.close()
    area.close()


def test_stats_page_desktop_and_phone(server: Server, browser: Any) -> None:
    cast, demands = _seed()
    for d in demands[:6]:
        d = actions.demand_transition(
            demand=d, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
        )
        if d.pk % 2:
            actions.demand_transition(demand=d, action="resolve", actor=cast.captain_a, outcome="solved", note="已解决")
    # The server process knows only the default hashers, not the fast one the suite uses.
    cast.district_staff.password = make_password(factories.PASSWORD, hasher="pbkdf2_sha256")
    cast.district_staff.save(update_fields=["password"])
    for name, options in (
        ("stats-desktop", {"viewport": {"width": 1440, "height": 900}}),
        ("stats-phone", {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}),
    ):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        page = context.new_page()
        page.goto(f"{server.url}/admin/login/?next=/stats/")
        page.fill("input[name=username]", "district_staff")
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/stats/")
        assert page.locator("#k-received").inner_text() == "15"
        # ECharts is fetched when a chart comes near the screen: scroll down to them as a reader would
        page.locator("#chart-outcome").scroll_into_view_if_needed()
        page.locator("#chart-monthly svg").wait_for()
        page.locator("#chart-outcome svg").wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, name)
        if name == "stats-desktop":
            page.goto(f"{server.url}/stats/report/?district=pudong&month={timezone.localdate():%Y-%m}")
            assert "浦东新区楼事会诉求办理月度报告" in page.locator("h1").inner_text()
            screenshot(page, "stats-monthly-report")
            pdf = page.pdf(format="A4", print_background=True)
            pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            assert pages == 1, f"the monthly report should print on one A4 page, not {pages}"
        context.close()


def test_the_screen_renders_the_feature_panels_an_open_surveys_qr_code_and_a_projects_progress(
    server: Server, browser: Any
) -> None:
    from requests_tracker.projects import actions as project_actions
    from tests.requests_tracker.surveys.helpers import make_survey

    cast, _ = _seed()
    make_survey(cast.tower_a, cast.captain_a)  # open now
    project = project_actions.project_create(
        actor=cast.captain_a, buildings=[cast.tower_a], title="1F 2号门智能加热外卖柜", is_public=True
    )
    project_actions.project_set_status(project=project, status="in_progress", actor=cast.captain_a)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{server.url}/screen/{cast.tower_a.slug}/")

    survey = page.locator("#s-panels .panel-survey")
    survey.wait_for(timeout=10_000)
    assert "外卖需求意见征集" in survey.inner_text()
    qr = survey.locator("img.p-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the QR code image loaded
    assert "1F 2号门智能加热外卖柜" in page.locator("#s-panels .panel-project").inner_text()
    assert page.locator("#s-panels .panel-project .p-bar i").count() >= 1
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    screenshot(page, "screen-panels")
    context.close()
