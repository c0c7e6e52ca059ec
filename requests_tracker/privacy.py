"""Personal data in public text: one masking function for every public surface.

Residents type phone numbers and e-mail addresses into titles and descriptions; whatever shows text to
the public (the screen, the board, the public demand page, look-alike suggestions, the API) masks it
with `mask_personal`.
"""

from __future__ import annotations

import re

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
