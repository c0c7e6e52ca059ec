"""Chinese words for search: jieba with the domain's dictionary, and the synonyms users type.

Chinese is written without spaces, so a document and a query are segmented into words (search
mode: "健康航站楼" also yields "健康", "航站"), lower-cased, and joined with spaces; PostgreSQL's
`simple` text-search configuration then sees one token per word. Synonyms are expanded on the query
side only: a query for 送餐 also looks for 外卖.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

USER_DICT = Path(__file__).with_name("userdict.txt")

#: Groups of words the users treat as the same (the issue's list, plus what the demo data says).
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"外卖", "送餐", "外卖柜", "取餐柜", "餐柜", "delivery", "deliveries", "takeaway", "food"},
        {"停车", "车位", "停车场", "停车位", "parking", "car"},
        {"看病", "问诊", "体检", "就医", "健康航站楼", "医生", "doctor", "clinic", "health"},
        {"暑托", "托班", "暑托班", "暑期托管", "托管", "summer", "childcare"},
        {"扩租", "扩大办公", "选址", "办公空间", "expansion", "space", "office"},
        {"第二楼长", "经济楼长", "经济服务专员"},
        {"快递", "快递柜", "courier", "parcel"},
        {"电梯", "elevator", "lift"},
        {"消防", "fire"},
        {"补贴", "扶持资金", "扶持", "资助", "subsidy", "funding", "grant"},
        {"人才", "落户", "talent"},
        {"书柜", "电子书柜", "阅读", "reading", "books", "book"},
        {"午餐", "午餐点", "lunch"},
        {"药柜", "智能药柜", "medicine", "pharmacy"},
    )
)

_SYNONYMS_OF: dict[str, frozenset[str]] = {}
for _group in SYNONYMS:
    for _word in _group:
        _SYNONYMS_OF[_word] = _SYNONYMS_OF.get(_word, frozenset()) | _group

#: Words too common to say anything about a case.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "是",
        "在",
        "有",
        "我",
        "我们",
        "你",
        "您",
        "吗",
        "呢",
        "吧",
        "啊",
        "怎么",
        "怎么办",
        "如何",
        "什么",
        "哪里",
        "能",
        "能否",
        "可以",
        "想",
        "要",
        "请问",
        "一下",
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "how",
        "what",
        "where",
        "can",
        "i",
        "my",
        "our",
        "with",
        "at",
        "by",
    ]
)

_WORD = re.compile(r"[\w]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
#: How many of a title's distinct characters are paired, the first that appear: all of a title of 200
#: different characters would be 19,900 pairs. The demo's longest titles have 24.
PAIRED_CHARACTERS = 32
_lock = threading.Lock()


@cache
def _tokenizer() -> jieba.Tokenizer:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


def _normalize(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２３) as their ASCII forms; lower case.
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """The words of `text` in order (search mode, so compounds also give their parts), stopwords out."""
    text = _normalize(text)
    if not text.strip():
        return []
    out: list[str] = []
    for token in _tokenizer().cut_for_search(text):
        token = token.strip()
        if token and _WORD.fullmatch(token) and token not in STOPWORDS:
            out.append(token)
    return out


def index_text(text: str) -> str:
    """What goes into the search document: the words, separated by spaces."""
    return " ".join(words(text))


def warm() -> None:
    """Loads jieba's dictionary and the domain's words now (a worker calls it at start, see wsgi.py),
    so that no look-up pays the second or so it takes."""
    _tokenizer()


@lru_cache(maxsize=4096)
def query_words(q: str) -> tuple[str, ...]:
    """words(q) for a query, remembered per process: residents repeat the same few look-ups, and a
    query is at most engine.MAX_QUERY characters, so the cache stays small."""
    return tuple(words(q))


@lru_cache(maxsize=4096)
def query_groups(q: str) -> tuple[frozenset[str], ...]:
    """One group per query word: the word and its synonyms (any of them may match)."""
    groups: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    for word in query_words(q):
        group = _SYNONYMS_OF.get(word, frozenset()) | {word}
        if group not in seen:
            seen.add(group)
            groups.append(group)
    return tuple(groups)


def characters(text: str) -> list[str]:
    """The distinct Chinese characters of `text`, in the order they first appear (the typo fallback's)."""
    return list(dict.fromkeys(_CJK.findall(text or "")))


def character_pairs(chars: Iterable[str]) -> list[str]:
    """Every two of the characters as one lexeme, the lower code point first: 柜 and 外 give '外柜'.

    A title's pairs are indexed on their own (engine.py: a Chinese typo finds the titles that share
    two of its characters with one look-up of short posting lists, where asking for each character's
    documents meant reading tens of thousands of entries per character at a million documents)."""
    ordered = sorted(set(chars))
    return [first + second for i, first in enumerate(ordered) for second in ordered[i + 1 :]]


def synonyms_of(word: str) -> frozenset[str]:
    return _SYNONYMS_OF.get(word, frozenset()) | {word}
