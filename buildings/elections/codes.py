"""Voting codes and receipts: random, typeable from a paper slip, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

#: No 0/O, 1/I/L: a code is read off a slip and typed on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31^12 ≈ 2^59: unguessable, and every attempt is one request
RECEIPT_LENGTH = 10


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def grouped(text: str, size: int) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


def new_code() -> str:
    return grouped(_random(CODE_LENGTH), 4)


def new_receipt() -> str:
    return grouped(_random(RECEIPT_LENGTH), 5)


def normalize(text: str) -> str:
    """What the voter typed, as the code was issued: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s\-‐－—_]", "", (text or "")[:64]).upper()


def well_formed(text: str, length: int = CODE_LENGTH) -> bool:
    value = normalize(text)
    return len(value) == length and all(ch in ALPHABET for ch in value)


def code_hash(code: str) -> str:
    """Keyed, so a copy of the database does not let anyone try all codes offline."""
    key = hashlib.sha256(b"lousihui-election-code:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, normalize(code).encode(), hashlib.sha256).hexdigest()


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(b"lousihui-receipt:" + normalize(receipt).encode()).hexdigest()
