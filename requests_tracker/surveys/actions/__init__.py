"""Writes for surveys, by concern: base (error, digests), building (draft, questions, open / close /
publish), responses (answers, imports), codes (invitation codes), texts (moderation, make it a demand)."""

from .base import CODE_ALPHABET, CODE_LENGTH, SurveyError, browser_digest, code_digest, normalize_code
from .building import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OptionSpec,
    QuestionSpec,
    question_set_options,
    survey_create,
    survey_link_demand,
    survey_move,
)
from .codes import MAX_CODES_PER_BATCH, codes_generate, codes_revoke
from .responses import accepting_error, survey_import, survey_respond
from .texts import text_moderate, text_to_demand, texts_show

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_CODES_PER_BATCH",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "OptionSpec",
    "QuestionSpec",
    "SurveyError",
    "accepting_error",
    "browser_digest",
    "code_digest",
    "codes_generate",
    "codes_revoke",
    "normalize_code",
    "question_set_options",
    "survey_create",
    "survey_import",
    "survey_link_demand",
    "survey_move",
    "survey_respond",
    "text_moderate",
    "text_to_demand",
    "texts_show",
]
