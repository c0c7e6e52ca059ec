"""Hostile text, normalised at the edge: one function for every form, API serializer and action.

- no C0 or C1 control characters (U+0000–U+001F, U+007F–U+009F), except newline and tab in long text;
  CR LF and lone CR become LF, the Unicode line and paragraph separators become newlines;
- no bidirectional overrides, embeddings or isolates (U+202A–U+202E, U+2066–U+2069, U+061C, U+200E/F),
  no private-use or surrogate code points;
- a one-line field (a title, a name) is one line: every run of white space becomes one space.

`safe_text` is the reading side: anything already stored is made safe to write into an XLSX cell, a mail
header or a robot message, whatever it contains.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\u0085]")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"\s+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def _allowed(char: str, *, multiline: bool) -> bool:
    if char in _BIDI:
        return False
    if char in "\n\t":
        return multiline
    return unicodedata.category(char) not in ("Cc", "Co", "Cs")


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """`value` as safe text: see the module docstring. Idempotent; None becomes ""."""
    if value is None:
        return ""
    text = _LINE_BREAKS.sub("\n", str(value))
    text = "".join(c if _allowed(c, multiline=multiline) or (c in "\n\t" and not multiline) else "" for c in text)
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    return _TRAILING_SPACE.sub("\n", text).strip()


def one_line(value: Any) -> str:
    return clean_text(value, multiline=False)


def long_text(value: Any) -> str:
    return clean_text(value, multiline=True)


def keeping_nul(clean: Any, value: str) -> str:
    """`clean(value)` with NUL bytes left in place, for a form or serializer to refuse with its message
    (a NUL is a sign of a garbled request, not of text to tidy); actions remove them outright."""
    return "\x00".join(clean(part) for part in value.split("\x00"))


class OneLineField(forms.CharField):
    """A form field for a title or a name: one line, no control or direction-changing characters."""

    def to_python(self, value: Any) -> str:
        return keeping_nul(one_line, super().to_python(value) or "")


class LongTextField(forms.CharField):
    """A form field for a description or a note: lines and tabs kept, controls and bidi marks removed."""

    def to_python(self, value: Any) -> str:
        return keeping_nul(long_text, super().to_python(value) or "")
