"""What every survey write shares: its error, the keyed digests of codes and browsers, telling the screens."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction

from buildings import panels

from ..models import (
    Survey,
)

#: Codes use an alphabet without look-alikes (no 0/O, 1/I/L): 31^12 ≈ 2^59 possible codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


CODE_LENGTH = 12


class SurveyError(Exception):
    """A refusal with a reason for a person; `code` picks the HTTP status.

    forbidden (403/404), invalid (400), not_open / closed / used / answered / state (409), unknown_code (403).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        errors: dict[int, str] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        #: per question id (answering); per field name (building a survey)
        self.errors = errors or {}
        self.fields = fields or {}


def _council_label(survey: Survey) -> str:
    if survey.building is not None:
        council = getattr(survey.building, "council", None)
        return str(council or survey.building)
    return str(survey.subdistrict or survey.district)


def _status_label(status: str) -> str:
    return str(Survey.Status(status).label)


def _touch(survey: Survey) -> None:
    """The board and the screens show open surveys and published results: tell them after commit."""
    if survey.building_id is not None:
        building_id = survey.building_id
        transaction.on_commit(lambda: panels.touch(building_id))


def _digest(purpose: str, survey: Survey, secret: str) -> str:
    message = f"lousihui.surveys.{purpose}:{survey.key}:{secret}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(survey: Survey, code: str) -> str:
    return _digest("code", survey, normalize_code(code))


def browser_digest(survey: Survey, browser_key: str) -> str:
    return _digest("browser", survey, browser_key)
