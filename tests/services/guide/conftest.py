"""A small guide world on top of the permission cast: a matter, a hall service with its form."""

from __future__ import annotations

from typing import Any

import pytest

from requests_tracker.hall.models import ServiceCategory
from requests_tracker.search.models import CategoryMatter
from services.guide import actions as guide_actions
from services.guide.models import HallService, ServiceField


@pytest.fixture
def world(cast: Any) -> Any:
    return build_world(cast)


def build_world(cast: Any) -> Any:
    """Adds to the cast: a hall service of the fire department (health-slot) and a guide matter."""
    service = HallService.objects.create(code="health-slot", department=cast.fire, name="预约健康航站楼时段")
    ServiceField.objects.create(
        service=service,
        code="doctor",
        label="医生类型",
        datatype="singlevaluelist",
        required=True,
        order=1,
        options=[{"key": "gp", "name": "全科"}, {"key": "tcm", "name": "中医"}],
    )
    ServiceField.objects.create(
        service=service, code="when", label="预约时间", datatype="datetime", required=True, order=2
    )
    ServiceField.objects.create(
        service=service, code="people", label="就诊人数", datatype="number", required=True, order=3
    )
    ServiceField.objects.create(
        service=service,
        code="weeks",
        label="周次",
        datatype="multivaluelist",
        order=4,
        options=[{"key": "w1", "name": "第1周"}, {"key": "w2", "name": "第2周"}],
    )
    ServiceField.objects.create(service=service, code="note", label="说明", datatype="text", order=5)
    ServiceCategory.objects.create(service=service, category=cast.category)
    matter = guide_actions.matter_create(
        department=cast.fire, actor=None, title="智能外卖柜设置指引", steps="问卷征集需求，1楼2号门安装外卖柜"
    )
    CategoryMatter.objects.create(category=cast.category, matter=matter)
    cast.service = service
    cast.matter = matter
    return cast


VALID = {"doctor": "gp", "when": "2026-12-03T12:00", "people": "2"}


def one_of_each(cast: Any) -> None:
    """One object of every model #13 registers in the admin (for the core's every-admin-page test)."""
    from requests_tracker.ask.actions import question_ask
    from requests_tracker.hall.actions import hall_request_submit

    world = build_world(cast)
    hall_request_submit(service=world.service, building=cast.tower_a, answers=VALID)
    question_ask(building=cast.tower_a, category=cast.category, title="外卖柜在哪一层？", matter=world.matter)
