"""API fields every app's serializers share (a leaf helper at the bottom layer)."""

from __future__ import annotations

import re
from typing import Any

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
