"""Input checks shared by the HTML form and the API, with messages in the user's language."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

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


# --- the floor: one rule, one wording, for the form, the API, the admin and the actions ----------

FLOOR_ZERO = _("There is no floor 0: the ground floor is 1, the first basement is -1.")
FLOOR_OUTSIDE = _("%(building)s has floors %(low)s to %(high)s.")


def floor_limits(building: Building) -> tuple[int, int]:
    """The lowest and highest floor a resident may name (basements are negative: B1 is -1)."""
    return (-building.basement_floors if building.basement_floors else 1), building.floors


def check_floor(building: Building, floor: int | None) -> None:
    """Raises a ValidationError naming the building and its range when `floor` is not one of its floors."""
    if floor is None:
        return
    if floor == 0:
        raise ValidationError(FLOOR_ZERO, code="floor_zero")
    low, high = floor_limits(building)
    if not low <= floor <= high:
        raise ValidationError(
            FLOOR_OUTSIDE, code="floor_outside", params={"building": building.localized_name, "low": low, "high": high}
        )
