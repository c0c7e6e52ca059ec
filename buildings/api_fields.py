"""API fields every app's serializers share (a leaf helper at the bottom layer)."""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict
from django.utils.encoding import smart_str
from rest_framework import serializers

#: What a SlugField can hold (Django's validate_slug); the lookups below refuse anything else.
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
_SLUG = re.compile(SLUG_PATTERN)


class SlugLookupField(serializers.SlugRelatedField):
    """A related object by slug or code; a value that cannot be a slug is "does not exist", never a query.

    PostgreSQL refuses a NUL byte in a query with an error (a 500), and DRF's related fields pass
    whatever they are given straight to the database.
    """

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)


def invalid_choice(value: str) -> str:
    """DRF's own (translated) message for a value outside a choice list, for hand-read query parameters."""
    return str(serializers.ChoiceField.default_error_messages["invalid_choice"]).format(input=value)


# --- JSON bodies: the types the schema states, not what DRF would coerce ------------------------------


def _json_type_error(field: serializers.Field, value: Any) -> Any:
    """Why `value`, read from a JSON body, is not of the JSON type the schema gives `field`; None if it is.

    DRF coerces for HTML forms, where everything is text: "12" is an integer, 1 and "on" are booleans,
    12 is a string. In JSON the type is part of the value, and the schema documents it.
    """
    if value is None:
        return None  # the field's own allow_null decides
    if isinstance(field, serializers.BooleanField):
        ok = isinstance(value, bool)
    elif isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(field, serializers.FloatField):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(field, serializers.CharField):
        ok = isinstance(value, str)
    elif isinstance(field, serializers.PrimaryKeyRelatedField):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return [str(field.error_messages["not_a_list"]).format(input_type=type(value).__name__)]
        items = {i: _json_type_error(field.child, item) for i, item in enumerate(value)}
        items = {i: error for i, error in items.items() if error}
        return items or None
    else:
        return None  # choices, dates, relations by slug, nested serializers: already strict about types
    if ok:
        return None
    key = "invalid" if "invalid" in field.error_messages else "incorrect_type"
    return [str(field.error_messages[key]).format(data_type=type(value).__name__)]


class StrictJSONTypes(serializers.Serializer):
    """A serializer that, for a JSON body, refuses a value of another type than its field's (a 400).

    Form bodies (a QueryDict) keep DRF's coercion: in a form every value is text.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors: dict[str, Any] = {}
            for field in self._writable_fields:
                name = str(field.field_name)
                if name in data:
                    error = _json_type_error(field, data[name])
                    if error:
                        errors[name] = error
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
