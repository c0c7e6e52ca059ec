"""A service's form definition: the one place answers are checked (HTML form, API and admin alike)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import ServiceField

STRING_MAX = 200
TEXT_MAX = 4000
Datatype = ServiceField.Datatype


class AnswersError(ValidationError):
    """Answers that do not fit a service's form; `message_dict` is keyed by field code."""


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = Decimal(str(value))
    elif isinstance(value, str) and value.strip():
        number = Decimal(value.strip())
    else:
        raise ValueError
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def _datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    # <input type="datetime-local"> sends "2026-12-03T09:30" (no seconds, no zone): Shanghai time.
    parsed: datetime | None = parse_datetime(text)
    if parsed is None:
        raise ValueError
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return timezone.localtime(parsed).isoformat(timespec="minutes")


def clean_value(field: ServiceField, value: Any) -> Any:
    """The stored form of one answer; raises ValidationError with a message naming the field."""
    label = field.localized_label
    kind = field.datatype
    try:
        if kind in (Datatype.STRING, Datatype.TEXT):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ValueError
            text = str(value).strip()
            limit = STRING_MAX if kind == Datatype.STRING else TEXT_MAX
            if len(text) > limit:
                raise ValidationError(
                    _("“%(field)s” can be at most %(limit)s characters.") % {"field": label, "limit": limit}
                )
            if "\x00" in text:
                raise ValueError
            return text
        if kind == Datatype.NUMBER:
            return _number(value)
        if kind == Datatype.DATETIME:
            return _datetime(value)
        keys = field.option_keys()
        if kind == Datatype.SINGLE:
            if not isinstance(value, str) or value not in keys:
                raise ValidationError(_("“%(field)s”: choose one of the options given.") % {"field": label})
            return value
        if kind == Datatype.MULTI:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) and v in keys for v in values):
                raise ValidationError(_("“%(field)s”: choose only from the options given.") % {"field": label})
            return [k for k in keys if k in values]  # the definition's order, each once
    except (ValueError, InvalidOperation, TypeError):
        pass
    expected = {
        Datatype.STRING: _("a short text"),
        Datatype.TEXT: _("a text"),
        Datatype.NUMBER: _("a number"),
        Datatype.DATETIME: _("a date and time, e.g. 2026-12-03 09:30"),
    }.get(Datatype(kind), _("a valid value"))
    raise ValidationError(_("“%(field)s” must be %(expected)s.") % {"field": label, "expected": expected})


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def validate_answers(fields: Iterable[ServiceField], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Checks `answers` against the definition: every error at once, keyed by field code.

    Returns the cleaned answers (only fields the definition has, empty optional ones left out);
    raises ValidationError({code: [message]}) for a missing required field, a value of the wrong type,
    an option not in the list, or a field the form does not have.
    """
    fields = list(fields)
    known = {f.code for f in fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if not isinstance(answers, Mapping):
        raise AnswersError({"answers": [_("The answers must be an object of field codes and values.")]})
    for code in answers:
        if code not in known:
            errors[str(code)[:50]] = [_("This form has no field “%(code)s”.") % {"code": str(code)[:50]}]
    for field in fields:
        value = answers.get(field.code)
        if is_empty(value):
            if field.required:
                errors[field.code] = [_("“%(field)s” is required.") % {"field": field.localized_label}]
            continue
        try:
            cleaned[field.code] = clean_value(field, value)
        except ValidationError as exc:
            errors[field.code] = exc.messages
    if errors:
        raise AnswersError(errors)
    return cleaned


def display_answers(fields: Iterable[ServiceField], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) pairs in the form's order, options by their names, for the department."""
    rows: list[tuple[str, str]] = []
    for field in fields:
        if field.code not in answers:
            continue
        value = answers[field.code]
        names = dict(field.localized_options())
        if isinstance(value, list):
            shown = "、".join(str(names.get(v, v)) for v in value)
        else:
            shown = names.get(value, str(value)) if isinstance(value, str) else str(value)
        rows.append((field.localized_label, shown))
    return rows
