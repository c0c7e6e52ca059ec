"""Surveys for the tests: one of every question kind, built through the real actions."""

from __future__ import annotations

from typing import Any

from buildings.models import Building, User
from requests_tracker.surveys import actions
from requests_tracker.surveys.actions import OptionSpec, QuestionSpec
from requests_tracker.surveys.models import Question, Survey


def every_kind() -> list[QuestionSpec]:
    return [
        QuestionSpec(kind="heading", text="关于外卖"),
        QuestionSpec(
            kind="single",
            text="您每周点几次外卖？",
            required=True,
            options=[OptionSpec("从不"), OptionSpec("1-2次"), OptionSpec("3次以上")],
        ),
        QuestionSpec(
            kind="multiple",
            text="您希望外卖柜有哪些功能？",
            max_choices=2,
            other=True,
            options=[OptionSpec("加热"), OptionSpec("冷藏"), OptionSpec("扫码取餐")],
        ),
        QuestionSpec(kind="rating", text="您对目前一楼取餐的满意度", required=True),
        QuestionSpec(
            kind="ranking",
            text="请给外卖柜位置排序",
            options=[OptionSpec("1号门"), OptionSpec("2号门"), OptionSpec("B1")],
        ),
        # Shown only to those who order 3+ times a week.
        QuestionSpec(kind="text", text="高峰时段最大的困难是什么？", long_text=True, show_if=(1, 2)),
        QuestionSpec(kind="text", text="其他建议", long_text=True),
    ]


def make_survey(
    building: Building, actor: User, *, open_it: bool = True, questions: list[QuestionSpec] | None = None, **kwargs: Any
) -> Survey:
    survey = actions.survey_create(
        actor=actor, building=building, title="外卖需求意见征集", questions=questions or every_kind(), **kwargs
    )
    if open_it:
        actions.survey_move(survey=survey, move="open", actor=actor)
    return survey


def qs(survey: Survey) -> dict[str, Question]:
    """The questions by kind (the second text question as "text2")."""
    out: dict[str, Question] = {}
    for q in survey.questions.prefetch_related("options").order_by("position"):
        key = q.kind if q.kind not in out else f"{q.kind}2"
        out[key] = q
    return out


def opt(question: Question, index: int) -> int:
    return list(question.options.order_by("position"))[index].pk


def full_answers(survey: Survey) -> list[dict[str, Any]]:
    q = qs(survey)
    return [
        {"question": q["single"].pk, "options": [opt(q["single"], 2)]},
        {"question": q["multiple"].pk, "options": [opt(q["multiple"], 0), opt(q["multiple"], 3)], "text": "保温袋"},
        {"question": q["rating"].pk, "value": 2},
        {"question": q["ranking"].pk, "ranking": [opt(q["ranking"], 1), opt(q["ranking"], 0), opt(q["ranking"], 2)]},
        {"question": q["text"].pk, "text": "电梯太挤，骑手上不来"},
        {"question": q["text2"].pk, "text": "希望在2号门装加热外卖柜"},
    ]
