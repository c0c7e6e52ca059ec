"""Survey results at Shanghai Tower's size: 8,000 responses × 10 questions, against the demand detail.

    python -m bench.surveys                       # PostgreSQL at BENCH_DATABASE_URL (default lousihui_bench_surveys)
    python -m bench.surveys --responses 2000 --requests 50   # --quick sized

In-process (Django's test client, no network), so both endpoints pay the same framework cost; prints
the median and p95 of each and the ratio of the results endpoint to the demand detail endpoint
(the issue's budget: within 3×). Creates and drops its own database; loopback only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=8000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench_surveys"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from requests_tracker.surveys import actions
        from requests_tracker.surveys.actions import OptionSpec, QuestionSpec
        from tests import factories
        from tests.requests_tracker.surveys.test_results import bulk_responses

        cast = factories.build_cast()
        questions = [
            QuestionSpec(
                kind="single",
                text="每周点几次外卖？",
                options=[OptionSpec("从不"), OptionSpec("1-2次"), OptionSpec("3次以上")],
            ),
            QuestionSpec(
                kind="multiple",
                text="外卖柜功能",
                other=True,
                options=[OptionSpec("加热"), OptionSpec("冷藏"), OptionSpec("扫码")],
            ),
            QuestionSpec(kind="rating", text="满意度"),
            QuestionSpec(
                kind="ranking", text="位置排序", options=[OptionSpec("1号门"), OptionSpec("2号门"), OptionSpec("B1")]
            ),
            QuestionSpec(kind="text", text="困难", show_if=(0, 2)),
            QuestionSpec(kind="text", text="建议"),
            QuestionSpec(kind="single", text="午餐", options=[OptionSpec("外卖"), OptionSpec("食堂")]),
            QuestionSpec(kind="rating", text="电梯满意度"),
            QuestionSpec(
                kind="multiple", text="关心", options=[OptionSpec("价格"), OptionSpec("口味"), OptionSpec("健康")]
            ),
            QuestionSpec(
                kind="single", text="楼层段", options=[OptionSpec("低区"), OptionSpec("中区"), OptionSpec("高区")]
            ),
        ]
        survey = actions.survey_create(
            actor=cast.captain_a, building=cast.tower_a, title="bench", questions=questions, results="live"
        )
        actions.survey_move(survey=survey, move="open", actor=cast.captain_a)
        companies = [factories.CompanyFactory(building=cast.tower_a) for _ in range(12)]
        # The helpers find the first question of each kind (positions 0-5 here); the rest stay unanswered.
        bulk_responses(survey, args.responses, companies)
        with connection.cursor() as cursor:
            # As autovacuum would have by then: statistics, and the visibility map for index-only scans.
            for table in ("surveys_answer", "surveys_response", "surveys_textanswer"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        demand = factories.make_demand(cast.tower_a, cast.category, is_public=True)
        client = Client()

        def timed(path: str) -> list[float]:
            for _ in range(5):
                assert client.get(path).status_code == 200, path
            out = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get(path)
                out.append(time.perf_counter() - start)
            return out

        rows = {
            "demand detail": timed(f"/api/v1/demands/{demand.pk}/"),
            "survey results": timed(f"/api/v1/surveys/{survey.key}/results/"),
            "survey results, one company": timed(f"/api/v1/surveys/{survey.key}/results/?company={companies[0].pk}"),
        }
        base = statistics.median(rows["demand detail"])
        print(f"{args.responses} responses × {len(questions)} questions, {args.requests} requests each (in-process)")
        for name, values in rows.items():
            p50 = statistics.median(values)
            p95 = sorted(values)[int(len(values) * 0.95) - 1]
            print(f"  {name:30s} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   ratio {p50 / base:5.2f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
