"""Input checks shared by the HTML form and the API, with messages in the user's language."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mainland_mobile(value: str) -> str:
    """Accepts 13812345678, 138-1234-5678, +86 138 1234 5678; returns the 11 digits or raises."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        return ""
    if not _MOBILE_RE.match(digits):
        raise ValidationError(
            _("Enter a mainland mobile number of 11 digits starting with 1, e.g. 13812345678."),
            code="invalid_mobile",
        )
    return digits
