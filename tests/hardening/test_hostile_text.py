"""Issue #14 item 7: hostile text is normalised at the edge, and whatever is stored is safe to export,
mail and post to a group robot."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from buildings import exports
from buildings.text import long_text, one_line
from requests_tracker import actions
from requests_tracker.models import Demand
from requests_tracker.notifications import messages
from tests import factories

HOSTILE_TITLE = "电梯\x01\x07\x1b坏了\n请\u202e修\ue000理"
HOSTILE_DESCRIPTION = "第一行\x1b\r\n第二行\t缩进\u2066\u202d\x7f\x85末行"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
FORBIDDEN = set(map(chr, range(0x20))) | set(map(chr, range(0x7F, 0xA0))) | BIDI


def _bad(char: str, *, multiline: bool) -> bool:
    if multiline and char in "\n\t":
        return False
    return char in FORBIDDEN or unicodedata.category(char) in ("Co", "Cs")


@given(st.text())
def test_one_line_text_has_no_controls_no_bidi_no_private_use_and_one_line(text: str) -> None:
    cleaned = one_line(text)
    assert not any(_bad(c, multiline=False) for c in cleaned)
    assert "\n" not in cleaned and "\t" not in cleaned
    assert one_line(cleaned) == cleaned


@given(st.text())
def test_long_text_keeps_only_newline_and_tab(text: str) -> None:
    cleaned = long_text(text)
    assert not any(_bad(c, multiline=True) for c in cleaned)
    assert long_text(cleaned) == cleaned


def test_ordinary_chinese_text_is_unchanged() -> None:
    assert one_line("外卖无法上楼（B座）") == "外卖无法上楼（B座）"
    assert long_text("午餐时间\n一楼大堂很乱\t😀") == "午餐时间\n一楼大堂很乱\t😀"


@pytest.mark.django_db
def test_api_submission_is_normalised(cast: factories.Cast) -> None:
    body = {
        "building": "shanghai-tower",
        "category": "delivery",
        "title": HOSTILE_TITLE,
        "description": HOSTILE_DESCRIPTION,
        "contact_name": "张\n三\x07",
        "company_name": "公司\u202e名",
    }
    response = APIClient().post("/api/v1/demands/", body, format="json")
    assert response.status_code == 201, response.content
    demand = Demand.objects.get()
    assert demand.title == "电梯坏了 请修理"
    assert demand.description == "第一行\n第二行\t缩进\n末行"
    assert demand.contact_name == "张 三"
    assert demand.company_name == "公司名"


@pytest.mark.django_db
def test_api_title_of_only_controls_is_a_field_error(cast: factories.Cast) -> None:
    body = {"building": "shanghai-tower", "category": "delivery", "title": "\x01\x07\u202e"}
    response = APIClient().post("/api/v1/demands/", body, format="json")
    assert response.status_code == 400
    assert "title" in response.json()


@pytest.mark.django_db
def test_a_nul_byte_is_refused_by_the_api_and_the_form_and_removed_by_actions(cast: factories.Cast) -> None:
    body = {"building": "shanghai-tower", "category": "delivery", "title": "外卖\x00无法上楼"}
    assert APIClient().post("/api/v1/demands/", body, format="json").status_code == 400
    form = Client().post("/b/shanghai-tower/submit/", {"category": "delivery", "title": "外卖\x00无法上楼"})
    assert form.status_code == 200 and not Demand.objects.exists()
    demand = actions.demand_submit(building=cast.tower_a, category=cast.category, title="外卖\x00无法上楼")
    assert demand.title == "外卖无法上楼"


@pytest.mark.django_db
def test_html_form_submission_is_normalised(cast: factories.Cast) -> None:
    response = Client().post(
        "/b/shanghai-tower/submit/",
        {"category": "delivery", "title": HOSTILE_TITLE, "description": HOSTILE_DESCRIPTION, "is_public": "on"},
    )
    assert response.status_code in (302, 303), response.content.decode()[:2000]
    demand = Demand.objects.get()
    assert demand.title == "电梯坏了 请修理"
    assert demand.description == "第一行\n第二行\t缩进\n末行"


@pytest.mark.django_db
def test_actions_normalise_whoever_calls(cast: factories.Cast) -> None:
    demand = actions.demand_submit(building=cast.tower_a, category=cast.category, title=HOSTILE_TITLE)
    assert demand.title == "电梯坏了 请修理"
    note = actions.demand_add_note(demand=demand, actor=cast.captain_a, note="回复\x1b[31m\u202e", is_public=True)
    assert note.note == "回复[31m"


def test_xlsx_and_csv_exports_take_any_stored_text() -> None:
    rows = [[HOSTILE_TITLE, HOSTILE_DESCRIPTION, "".join(map(chr, range(32))) + "=1+1"]]
    response = exports.xlsx_response("x.xlsx", ["标题", "描述", "其他"], rows)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["A2"].value == "电梯坏了\n请修理"
    csv_response = exports.csv_response("x.csv", ["标题"], rows)
    assert "\x01" not in csv_response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_stored_control_characters_do_not_break_the_stats_xlsx(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, category=cast.category)
    # Text stored before the edge normalised it (a row from an older version, a raw SQL import).
    Demand.objects.filter(pk=demand.pk).update(title="坏\x01\x07\x1b标题", description="\x0b描述\x1f")
    client = Client()
    client.force_login(cast.district_staff)
    response = client.get("/stats/export.xlsx?what=rows")
    assert response.status_code == 200
    load_workbook(io.BytesIO(response.content))


@pytest.mark.django_db
def test_a_newline_in_a_stored_title_makes_a_one_line_mail_subject(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, category=cast.category)
    Demand.objects.filter(pk=demand.pk).update(title="第一行\n第二行\r\nBcc: x@example.com")
    demand.refresh_from_db()
    subject, _text, _html = messages.render_email(messages.new_demand(demand))
    assert "\n" not in subject and "\r" not in subject


@pytest.mark.django_db
def test_robot_messages_show_markdown_as_text(cast: factories.Cast) -> None:
    demand = factories.make_demand(
        cast.tower_a,
        category=cast.category,
        title="[点击此处](https://phish.example/login)",
        description="![x](https://phish.example/pixel.png) **加粗** <font color=red>红</font>\n# 标题",
    )
    text = messages.render_webhook_text(messages.new_demand(demand))
    assert "](https://phish" not in text
    assert "![" not in text and "<font" not in text and "**加粗**" not in text and "\n# " not in text
    assert "点击此处" in text and "phish.example" in text  # shown, as text
    assert "](http" in text  # our own link to the demand is still a link
