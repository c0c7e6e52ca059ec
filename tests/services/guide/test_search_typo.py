"""A Chinese typo (外买柜 for 外卖柜): the titles that share two of its characters, found through the titles'
character pairs (their own GIN index) rather than every title with one of the characters."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection

from requests_tracker.search import engine, segment
from requests_tracker.search.models import SearchDocument
from tests.services.guide.test_search_cache import _resolved

pytestmark = pytest.mark.django_db

#: 43 different characters: more than segment.PAIRED_CHARACTERS.
LONG_TITLE = "上海中心大厦外卖快递无法上楼一层交接太混乱希望物业尽快安装智能取餐柜并安排专人值守方便白领午餐"


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite matches the titles' characters in Python")


def _pairs() -> dict[int, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tsvector_to_array(title_pairs) FROM search_searchdocument")
        return {doc_id: sorted(pairs or []) for doc_id, pairs in cursor.fetchall()}


def test_every_two_characters_of_a_title_make_one_pair() -> None:
    assert segment.characters("外卖柜 locker 外卖") == ["外", "卖", "柜"]
    assert segment.character_pairs(segment.characters("外卖柜")) == ["卖外", "卖柜", "外柜"]  # code point order
    assert len(segment.character_pairs(segment.characters(LONG_TITLE)[: segment.PAIRED_CHARACTERS])) == 32 * 31 // 2


def test_a_typo_finds_the_titles_that_share_two_of_its_characters(world: Any) -> None:
    case = _resolved(world, "外卖柜坏了", "已修好")
    _resolved(world, "外墙瓷砖脱落", "已修好")  # shares one character (外): no match
    assert [h.id for h in engine.search("外买柜", engine.Filters(kind="demand"))[1]] == [case.pk]


def test_a_typo_costs_two_statements(client: Any, world: Any, django_assert_num_queries: Any) -> None:
    _resolved(world, "外卖柜坏了", "已修好")
    client.get("/api/v1/search/", {"q": "停车"})  # jieba and the compiled statements warm
    with django_assert_num_queries(2):  # the words find nothing; then the fallback, ranked with the page
        data = client.get("/api/v1/search/", {"q": "外买柜", "kind": "demand"}).json()
    assert data["count"] == 1


def test_the_typo_looks_up_the_pairs_index_with_the_pairs_hidden_from_the_planner(world: Any) -> None:
    _postgres()
    _resolved(world, "外卖柜坏了", "已修好")
    q = "居住正积份"  # five characters, ten pairs: what the planner once guessed at 4.5% and scanned for
    statement, params = engine._statement(
        q, list(segment.query_groups(q)), set(segment.query_words(q)), engine.Filters(), True
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: show which index it would take
        cursor.execute("EXPLAIN " + statement, [*params, 20, 0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_doc_title_pairs_gin" in plan
    assert "title_pairs @@ '" not in plan  # not a constant: the planner cannot price the pairs from its statistics
    assert "vector @@ '''住'' & ''居''" not in plan  # no longer every title with one of the characters


def test_documents_indexed_before_the_pairs_get_them_from_the_migration(world: Any) -> None:
    _postgres()
    case = _resolved(world, "外卖柜坏了", "已修好")
    long = _resolved(world, LONG_TITLE, "已安装")  # shares 外…柜 too
    indexed = _pairs()
    assert len(indexed) == SearchDocument.objects.count() >= 3  # with the world's guide matter
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchdocument SET title_pairs = NULL")
    assert engine.search("外买柜", engine.Filters(kind="demand")) == (0, [])
    migration = importlib.import_module("requests_tracker.search.migrations.0004_title_pairs")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert _pairs() == indexed
    assert {h.id for h in engine.search("外买柜", engine.Filters(kind="demand"))[1]} == {case.pk, long.pk}


def test_the_rows_keep_the_tsvector_and_leave_the_rest_to_toast(world: Any) -> None:
    """The candidates' scan reads whole rows to test `vector` (migration 0004's layout): the tsvector
    stays in the row, the pairs, segmented body and text go out of it once a row passes 1 KB."""
    _postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'search_searchdocument'::regclass"
            " AND attname IN ('vector', 'title_pairs', 'body_words', 'text')"
        )
        storage = dict(cursor.fetchall())
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_searchdocument'")
        options = cursor.fetchone()[0]
    assert storage == {"vector": "m", "title_pairs": "e", "body_words": "e", "text": "e"}
    assert "toast_tuple_target=1024" in options
    long_body = "外卖柜" * 400
    doc = _resolved(world, "外卖柜装在哪里", long_body)
    with connection.cursor() as cursor:  # a long case: its body went to the TOAST table
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'search_searchdocument'")
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast}")  # noqa: S608 (a relation's own name)
        assert cursor.fetchone()[0] >= 1
    assert doc.pk
    assert engine.search("外卖柜")[1][0].title == "外卖柜装在哪里"
