"""Finding demands that look alike, for Chinese text (no spaces between words) and English.

A title is cut into tokens: each CJK character is a token, each run of Latin letters or digits is
one (lower-cased). Two titles are compared by the overlap (Dice) of their character bigrams, which
catch words such as 外卖 or 电梯, blended with the overlap of single tokens, which catches the same
words in another order (“外卖上不了楼” / “楼上收不到外卖”). Cheap, no dictionary, and good enough to
show “maybe this one?” while the resident types.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import TypeVar

#: “52楼”, “B1层”, “12F”: where, not what — two different problems on one floor are not alike.
_FLOOR_RE = re.compile(r"[bB]?\d+\s*(?:楼|层|[fF]\b)")
_TOKEN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+")
#: Characters that say little about the subject on their own.
_FILLER = frozenset("的了是在和与及或也都很太不没有吗呢吧啊我们你他她它请")
THRESHOLD = 0.3
T = TypeVar("T")


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(_FLOOR_RE.sub(" ", text).lower())


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) to 1 (same tokens in the same order)."""
    ta, tb = tokens(a), tokens(b)
    bigrams_a = {x + y for x, y in itertools.pairwise(ta)}
    bigrams_b = {x + y for x, y in itertools.pairwise(tb)}
    unigrams_a = {t for t in ta if t not in _FILLER}
    unigrams_b = {t for t in tb if t not in _FILLER}
    return 0.6 * _dice(bigrams_a, bigrams_b) + 0.4 * _dice(unigrams_a, unigrams_b)


def most_similar(title: str, candidates: Iterable[tuple[T, str]], *, limit: int = 3) -> list[T]:
    """The `limit` candidates (item, text) whose text looks most like `title`, above the threshold."""
    if len(tokens(title)) < 2:
        return []
    scored = [(similarity(title, text), i, item) for i, (item, text) in enumerate(candidates)]
    scored = [s for s in scored if s[0] >= THRESHOLD]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [item for _, _, item in scored[:limit]]
