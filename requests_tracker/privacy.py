"""Personal data in public text: one masking function for every public surface.

Residents type phone numbers and e-mail addresses into titles and descriptions; whatever shows text to
the public (the screen, the board, the public demand page, look-alike suggestions, the API) masks it
with `mask_personal`. The admin shows a demand's contact details masked (`CONTACT_MASKS`: 139****5678,
z***@example.com, 张*) until a handler presses "show", which is logged.
"""

from __future__ import annotations

import re

from django.db import models

from .models import Demand

_D = r"[0-9０-９]"
# A mainland mobile: 1, then 3–9, then nine digits, optionally +86/0086 in front and spaces or dashes
# between the groups (138 1234 5678, 138-1234-5678); full-width digits too. Not inside a longer number.
_MOBILE = re.compile(
    rf"(?<![0-9０-９])(?:(?:\+|＋|00)?86[\s\-]?)?[1１][3-9３-９]{_D}(?:[\s\-]?{_D}{{4}}){{2}}(?![0-9０-９])"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
MASK_MOBILE = "1**********"
MASK_EMAIL = "***@***"


def mask_personal(text: str) -> str:
    """Public text with anything that looks like a mainland mobile number or an e-mail address masked."""
    if not text:
        return ""
    text = _EMAIL.sub(MASK_EMAIL, text)
    return _MOBILE.sub(MASK_MOBILE, text)


# --- Contact details in the admin: masked until "show" is pressed (and the reveal logged) -----------


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a mobile; shorter numbers keep only their end."""
    digits = phone.strip()
    if not digits:
        return ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_email(email: str) -> str:
    """z***@example.com: the first character of the mailbox and the domain."""
    email = email.strip()
    if not email:
        return ""
    local, _at, domain = email.rpartition("@")
    if not local:
        return MASK_EMAIL
    return f"{local[0]}***@{domain}"


def mask_name(name: str) -> str:
    """张** / J***: the first character of a name."""
    name = name.strip()
    return f"{name[0]}{'*' * max(len(name) - 1, 1)}" if name else ""


#: The masker of each contact field of a demand (the admin shows these until a reveal is logged).
CONTACT_MASKS = {"contact_name": mask_name, "contact_phone": mask_phone, "contact_email": mask_email}
#: The demand's fields that hold the submitter's contact details (masked in the admin, erased on time).
CONTACT_FIELDS = tuple(CONTACT_MASKS)


def contact_label(name: str) -> str:
    """The field's name as people read it ("联系电话")."""
    field = Demand._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


def masked_contacts(demand: Demand) -> list[tuple[str, str]]:
    """(label, masked value) of each contact detail the demand still holds."""
    return [
        (contact_label(name), CONTACT_MASKS[name](getattr(demand, name)))
        for name in CONTACT_FIELDS
        if getattr(demand, name)
    ]
