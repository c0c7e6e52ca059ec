"""`{% load privacy %}`: the template side of requests_tracker.privacy.mask_personal."""

from __future__ import annotations

from django import template

from ..privacy import mask_personal as _mask_personal

register = template.Library()


@register.filter
def mask_personal(text: object) -> str:
    """Public text with phone numbers and e-mail addresses masked (board, public demand page, /similar/)."""
    return _mask_personal("" if text is None else str(text))


@register.filter
def masked_if(text: object, public: object) -> object:
    """`{{ e.note|masked_if:public }}` in partials shared by public pages and the submitter's own page."""
    return mask_personal(text) if public else ("" if text is None else text)
