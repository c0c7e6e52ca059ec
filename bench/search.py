"""Relevance of 案例查询 on the demo data: precision@5 and MRR over the judged queries.

DATABASE_URL=... python manage.py seed_demo && python -m bench.search
"""

from __future__ import annotations

import os
import time


def main() -> None:
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


if __name__ == "__main__":
    main()
