"""Checking a response against its survey's questions, in Python, before anything is written.

The API's JSON and the answer page's form both become a list of `RawAnswer`s; `check_answers` says
what is wrong, naming the question, or returns the rows to store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .models import Option, Question

MAX_TEXT = 2000
RATING_RANGE = range(1, 6)


@dataclass
class RawAnswer:
    question: Any
    options: Any = None
    text: Any = None
    value: Any = None
    ranking: Any = None


@dataclass
class CheckedAnswer:
    question: Question
    option_ids: list[int] = field(default_factory=list)
    value: int | None = None
    ranking: list[int] = field(default_factory=list)
    text: str = ""
    other_option_id: int | None = None


class AnswerErrors(Exception):
    """What is wrong with a response: {question id (or 0 for the whole): message}."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def parse_api_answers(data: Any) -> list[RawAnswer]:
    """The API's `answers` list; a shape that is not a list of objects with a question is refused."""
    if not isinstance(data, list):
        raise AnswerErrors({0: _("“answers” must be a list.")})
    raw = []
    for item in data:
        if not isinstance(item, dict) or "question" not in item:
            raise AnswerErrors({0: _("Each answer must name its question.")})
        raw.append(
            RawAnswer(
                question=item.get("question"),
                options=item.get("options"),
                text=item.get("text"),
                value=item.get("value"),
                ranking=item.get("ranking"),
            )
        )
    return raw


def _ids(value: Any) -> list[int] | None:
    if not isinstance(value, list):
        return None
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int):
            return None
        out.append(v)
    return out


def _label(question: Question, number: int) -> str:
    return _("Question %(number)s (“%(text)s”)") % {"number": number, "text": question.localized("text")[:40]}


def check_answers(questions: list[Question], raw: list[RawAnswer]) -> list[CheckedAnswer]:
    """The answers to store, in question order; raises AnswerErrors naming every question that is wrong.

    A question whose condition is not met is skipped (whatever was sent for it is dropped), so a
    change of mind earlier in the form never leaves a dead end.
    """
    by_id: dict[int, RawAnswer] = {}
    known = {q.pk for q in questions}
    for answer in raw:
        qid = answer.question
        if isinstance(qid, bool) or not isinstance(qid, int) or qid not in known:
            raise AnswerErrors({0: _("Question %(id)s is not part of this survey.") % {"id": str(qid)[:20]}})
        if qid in by_id:
            raise AnswerErrors({qid: _("Question %(id)s is answered twice.") % {"id": qid}})
        by_id[qid] = answer

    errors: dict[int, str] = {}
    checked: list[CheckedAnswer] = []
    picked: set[int] = set()
    number = 0
    for question in questions:
        if question.kind == Question.Kind.HEADING:
            continue
        number += 1
        if question.show_if_id is not None and question.show_if_id not in picked:
            continue
        label = _label(question, number)
        try:
            result = _check_one(question, by_id.get(question.pk), label)
        except ValueError as exc:
            errors[question.pk] = str(exc)
            continue
        if result is None:
            if question.required:
                errors[question.pk] = _("%(question)s needs an answer.") % {"question": label}
            continue
        picked.update(result.option_ids)
        checked.append(result)
    if errors:
        raise AnswerErrors(errors)
    return checked


def _options(question: Question) -> dict[int, Option]:
    return {o.pk: o for o in question.options.all()}


def _check_one(question: Question, answer: RawAnswer | None, label: str) -> CheckedAnswer | None:
    """The checked answer, None when nothing was given, ValueError with the reason when it is wrong."""
    if answer is None:
        return None
    kind = question.kind
    if kind in Question.CHOICE_KINDS:
        if answer.options is None or answer.options == []:
            return None
        ids = _ids(answer.options)
        if ids is None:
            raise ValueError(_("%(question)s: “options” must be a list of option ids.") % {"question": label})
        options = _options(question)
        if any(i not in options for i in ids):
            raise ValueError(_("%(question)s: an option that belongs to another question.") % {"question": label})
        if len(set(ids)) != len(ids):
            raise ValueError(_("%(question)s: an option was picked twice.") % {"question": label})
        if kind == Question.Kind.SINGLE and len(ids) > 1:
            raise ValueError(_("%(question)s: pick only one option.") % {"question": label})
        if kind == Question.Kind.MULTIPLE and question.max_choices and len(ids) > question.max_choices:
            raise ValueError(
                _("%(question)s: pick at most %(max)s options.") % {"question": label, "max": question.max_choices}
            )
        result = CheckedAnswer(question=question, option_ids=ids)
        other = next((i for i in ids if options[i].is_other), None)
        if other is not None:
            text = answer.text.replace("\x00", "").strip() if isinstance(answer.text, str) else ""
            if not text:
                raise ValueError(_("%(question)s: please say what “other” is.") % {"question": label})
            if len(text) > MAX_TEXT:
                raise ValueError(_("%(question)s: at most %(max)s characters.") % {"question": label, "max": MAX_TEXT})
            result.text = text
            result.other_option_id = other
        return result
    if kind == Question.Kind.RATING:
        if answer.value is None or answer.value == "":
            return None
        if isinstance(answer.value, bool) or not isinstance(answer.value, int) or answer.value not in RATING_RANGE:
            raise ValueError(_("%(question)s: the rating must be a whole number from 1 to 5.") % {"question": label})
        return CheckedAnswer(question=question, value=answer.value)
    if kind == Question.Kind.RANKING:
        if answer.ranking is None or answer.ranking == []:
            return None
        ids = _ids(answer.ranking)
        options = _options(question)
        if ids is None or len(ids) != len(options) or set(ids) != set(options):
            raise ValueError(_("%(question)s: put every option in order, each once.") % {"question": label})
        return CheckedAnswer(question=question, ranking=ids)
    if kind == Question.Kind.TEXT:
        if answer.text is None:
            return None
        if not isinstance(answer.text, str):
            raise ValueError(_("%(question)s: the answer must be text.") % {"question": label})
        text = answer.text.replace("\x00", "").strip()
        if not text:
            return None
        if len(text) > MAX_TEXT:
            raise ValueError(_("%(question)s: at most %(max)s characters.") % {"question": label, "max": MAX_TEXT})
        return CheckedAnswer(question=question, text=text)
    return None
