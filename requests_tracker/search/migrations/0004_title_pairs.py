"""The titles' character pairs, for a Chinese typo: a column, filled for the documents there are, and (on
PostgreSQL) its GIN index.

The typo fallback (engine.py) asked the tsvector for titles with two of the query's characters: every
posting list of a common character (外: 4% of a million documents) read in full per look-up, ~3.5 ms.
A look-up of the pairs themselves reads only the titles that have both. New documents get their pairs
from indexing._save (segment.character_pairs); FORWARD fills the documents indexed before with the same
pairs, computed in SQL: the first PAIRED_CHARACTERS (32) distinct characters of the title, each two as
one lexeme, the lower code point first.

Before the fill, which writes every row again, the row's layout: the candidates' scan that stops at 50
(engine._candidate_sql) reads whole rows to test `vector`, and the rows had grown to ~2.2 KB with the
pairs (three to a page). The tsvector stays in the row (MAIN); the pairs, the segmented body and the
text go to the TOAST table (EXTERNAL) once a row passes 1 KB (`toast_tuple_target`), which only the
page of hits (its snippets) and a typo's few matches read. At a million documents, rewritten both
ways: 外卖柜 5.1 -> 3.2 ms, `food locker` 5.3 -> 2.6 ms in process; the heap 1.79 -> 1.58 GB.
"""

import django.contrib.postgres.search
from django.db import migrations

FILL = r"""
UPDATE search_searchdocument d SET title_pairs = (
    WITH chars AS (
        SELECT c FROM regexp_split_to_table(d.title, '') WITH ORDINALITY AS t(c, n)
        WHERE c ~ '[\u3400-\u9fff]' GROUP BY c ORDER BY min(n) LIMIT 32
    )
    SELECT array_to_tsvector(coalesce(array_agg(a.c || b.c), '{}'::text[]))
    FROM chars a JOIN chars b ON a.c COLLATE "C" < b.c COLLATE "C"
)
"""
LAYOUT = (
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE MAIN,"
    " ALTER COLUMN title_pairs SET STORAGE EXTERNAL, ALTER COLUMN body_words SET STORAGE EXTERNAL,"
    " ALTER COLUMN text SET STORAGE EXTERNAL, SET (toast_tuple_target = 1024)"
)
LAYOUT_BACK = (
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTENDED,"
    " ALTER COLUMN title_pairs SET STORAGE EXTENDED, ALTER COLUMN body_words SET STORAGE EXTENDED,"
    " ALTER COLUMN text SET STORAGE EXTENDED, RESET (toast_tuple_target)"
)
INDEX = "CREATE INDEX IF NOT EXISTS search_doc_title_pairs_gin ON search_searchdocument USING gin (title_pairs)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LAYOUT)
        schema_editor.execute(FILL)
        schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_doc_title_pairs_gin")
        schema_editor.execute(LAYOUT_BACK)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vector_statistics")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_pairs",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, help_text="every two of the title's Chinese characters (the typo fallback)", null=True
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
