"""案例查询: relevance on the demo data, and speed at scale against a bare view.

    python manage.py seed_demo && python -m bench.search          # precision@5 and MRR of the judged queries
    python -m bench.search --scale 1000000 --requests 200          # 1M documents, p50 × bare view

Relevance runs on the configured database (the seeded demo). `--scale` builds its own PostgreSQL
database (BENCH_DATABASE_URL, default lousihui_bench_search): the demo, then N documents copied from
the demo's cases (as many documents as demands: the worst case of every demand resolved and public;
the copies point at no demand row, the constraint is dropped in this throwaway database — the search
reads only its own table; inserted in turn, case after case, so that the table's order mixes topics as
cases resolved over time do, rather than in one block per case as the join happens to hand them out),
GIN indexes rebuilt; then gunicorn on 127.0.0.1 and, in the same run, a
bare Django view and the search API for a few queries. Only loopback traffic; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import quote

from bench.harness import ROOT, bench_env, hammer, wait_for_port

QUERIES = ["外卖柜", "停车", "健康航站楼", "暑托班报名", "外买柜", "food locker", "扩大办公"]


def relevance() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")
    import django

    django.setup()
    from django.db import connection

    from requests_tracker.search import engine
    from requests_tracker.search.judged import JUDGED, measure

    started = time.perf_counter()
    precision, mrr, ranks = measure(lambda q: [h.title for h in engine.search(q, limit=20)[1]])
    elapsed = time.perf_counter() - started
    for q, rank in ranks:
        print(f"{rank if rank else '-':>3}  {q}")
    print(
        f"backend={connection.vendor} queries={len(JUDGED)} precision@5={precision:.3f} MRR={mrr:.3f} "
        f"mean_ms={elapsed * 1000 / len(JUDGED):.1f}"
    )


def fill(n_docs: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, force=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument")
        have = cursor.fetchone()[0]
        if have < n_docs:
            cursor.execute("ALTER TABLE search_searchdocument DROP CONSTRAINT IF EXISTS search_document_one_source")
            cursor.execute("DROP INDEX IF EXISTS search_doc_vector_gin")
            cursor.execute("DROP INDEX IF EXISTS search_doc_title_trgm")
            cursor.execute("DROP INDEX IF EXISTS search_doc_title_pairs_gin")
            cursor.execute(
                """
                INSERT INTO search_searchdocument (kind, title, text, title_words, body_words, vector, title_pairs,
                    url, category_id_ref, building_id_ref, subdistrict_id_ref, district_id_ref, department_id_ref,
                    outcome, year, meta, published_at)
                SELECT t.kind, t.title, t.text, t.title_words, t.body_words, t.vector, t.title_pairs, t.url,
                    t.category_id_ref,
                    t.building_id_ref, t.subdistrict_id_ref, t.district_id_ref, t.department_id_ref, t.outcome,
                    t.year, t.meta, t.published_at - (g %% 700) * interval '1 day'
                FROM generate_series(1, %s) AS g
                JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS i, * FROM search_searchdocument
                      WHERE kind <> 'matter') AS t
                  ON t.i = g %% (SELECT count(*) FROM search_searchdocument WHERE kind <> 'matter')
                ORDER BY g
                """,
                [n_docs - have],
            )
            cursor.execute("CREATE INDEX search_doc_vector_gin ON search_searchdocument USING gin (vector)")
            cursor.execute(
                "CREATE INDEX search_doc_title_trgm ON search_searchdocument USING gin (title_words gin_trgm_ops)"
            )
            cursor.execute("CREATE INDEX search_doc_title_pairs_gin ON search_searchdocument USING gin (title_pairs)")
            # VACUUM as well: seed_demo --force has just deleted the previous run's million, and a
            # million dead index entries make the planner's look-ups of the id range (join estimates)
            # cost tens of milliseconds per search; autovacuum would have cleared them in a live table.
            cursor.execute("VACUUM ANALYZE search_searchdocument")
        cursor.execute("SELECT count(*) FROM search_searchdocument")
        total = cursor.fetchone()[0]
    connection.close()
    return int(total)


def scale(args: argparse.Namespace) -> None:
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench_search")
    env = bench_env(db_url)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db_url.rsplit("/", 1)[1]], capture_output=True)
    os.environ.update(env)
    began = time.perf_counter()
    total = fill(args.scale)
    print(f"{total} search documents ready in {time.perf_counter() - began:.0f} s", flush=True)
    # Twice, in the same run: as deployed (answers cached until the index changes; the load repeats
    # each query, as residents repeat popular look-ups) and with the cache off (every request ranks).
    tables = {}
    for label, cache_seconds in (("cached answers", "300"), ("cache off", "0")):
        tables[label] = _measure(args, {**env, "SEARCH_CACHE_SECONDS": cache_seconds})
    for label, results in tables.items():
        base = results["bare Django view"]["p50_ms"]
        print(f"\n{total} documents, {label}; {args.threads} client threads, {args.workers} gunicorn workers")
        print(f"{'endpoint':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 × bare':>11}")
        for name, r in results.items():
            print(f"{name:32} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['p50_ms'] / base:11.1f}")
    print(json.dumps({"documents": total, "results": tables}))


def _measure(args: argparse.Namespace, env: dict[str, str]) -> dict[str, dict[str, float]]:
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", str(args.workers), "--log-level", "warning", "--timeout", "120"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(args.port)
        endpoints = [("bare Django view", "/bench/bare/")]
        endpoints += [(f"search q={q}", f"/api/v1/search/?q={quote(q)}") for q in QUERIES]
        for _, path in endpoints:  # warm every worker (jieba's dictionary loads once per process)
            hammer(args.port, path, args.threads * 3, args.threads)
        results = {}
        for name, path in endpoints:
            started = time.perf_counter()
            lat = sorted(hammer(args.port, path, args.requests, args.threads))
            elapsed = time.perf_counter() - started
            results[name] = {
                "rps": len(lat) / elapsed,
                "p50_ms": statistics.median(lat) * 1000,
                "p95_ms": lat[max(0, int(len(lat) * 0.95) - 1)] * 1000,
            }
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=0, help="documents for the speed run (0: relevance only)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    if args.scale:
        scale(args)
    else:
        relevance()


if __name__ == "__main__":
    main()
