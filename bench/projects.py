"""Closing the loop at size: a public project update with 50 linked demands and 2,000 supporters,
against a demand transition (the issue's budget: the update request within 3× a transition).

    python -m bench.projects                       # PostgreSQL at BENCH_DATABASE_URL (default lousihui_bench_projects)
    python -m bench.projects --supporters 200 --requests 10   # --quick sized

In-process (Django's test client, no network), so both requests pay the same framework cost, and
interleaved (update, transition, update, …) so a busy machine slows both alike. A transition is
"start" on an assigned demand with a submitter's e-mail (its event, tally and outbox rows); an update
is `POST /api/v1/projects/<id>/updates/` by the captain. Prints the median and p95 of each and the
ratio of the medians. Then the worker's part — each update's outbox rows, one per person — is run
and timed on its own (it is not on the request path), and the rows are counted to show that nobody
was left out. Creates and drops its own database; loopback only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=50)
    parser.add_argument("--supporters", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench_projects"
    )
    # A real broker with no worker on it: the requests publish as in production, and nothing is
    # delivered while they are timed (the database is dropped afterwards; the queue is flushed).
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from buildings.models import User
        from requests_tracker import actions as demand_actions
        from requests_tracker.models import Notification, Support
        from requests_tracker.projects import actions
        from requests_tracker.projects.models import ProjectDemand
        from tests import factories

        cast = factories.build_cast()
        project = actions.project_create(
            actor=cast.captain_a, buildings=[cast.tower_a], title="1F 2号门智能加热外卖柜", description="外卖柜"
        )
        linked = [
            factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i}", contact_email=f"sub{i}@example.com")
            for i in range(args.demands)
        ]
        password = make_password(None)
        users = User.objects.bulk_create(
            [User(username=f"fan{i}", email=f"fan{i}@example.com", password=password) for i in range(args.supporters)]
        )
        Support.objects.bulk_create(
            [Support(demand=linked[(i + k) % len(linked)], user=u) for i, u in enumerate(users) for k in range(3)]
        )
        ProjectDemand.objects.bulk_create([ProjectDemand(project=project, demand=d) for d in linked])
        # Demands to start, one per transition, each assigned to the captain's seat and with an e-mail.
        to_start = []
        for i in range(args.requests + 3):
            demand = factories.make_demand(cast.tower_a, cast.category, title=f"待办{i}", contact_email=f"t{i}@x.cn")
            demand = demand_actions.demand_transition(
                demand=demand,
                action="assign",
                actor=cast.captain_a,
                assignee=demand_actions.Assignee(member=cast.member_a),
            )
            to_start.append(demand)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = APIClient()
        client.force_login(cast.captain_a)

        def update(n: int) -> float:
            start = time.perf_counter()
            response = client.post(f"/api/v1/projects/{project.pk}/updates/", {"text": f"进展{n}"}, format="json")
            elapsed = time.perf_counter() - start
            assert response.status_code == 201, response.content
            return elapsed

        def transition(n: int) -> float:
            demand = to_start[n]
            start = time.perf_counter()
            response = client.post(f"/api/v1/demands/{demand.pk}/transitions/", {"action": "start"}, format="json")
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.content
            return elapsed

        for n in range(3):  # warm-up
            update(n)
            transition(n)
        updates, transitions = [], []
        for n in range(3, args.requests + 3):
            updates.append(update(n))
            transitions.append(transition(n))
        # The worker's part, timed on its own: each update's rows written out (not on the request path).
        from requests_tracker.models import NewsFanout
        from requests_tracker.notifications import fanout

        fan_outs = []
        for kind, ref in NewsFanout.objects.filter(done_at=None).order_by("pk").values_list("kind", "ref"):
            start = time.perf_counter()
            fanout.run(kind, ref)
            fan_outs.append(time.perf_counter() - start)
        people = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).count() // (args.requests + 3)
        base = statistics.median(transitions)
        print(
            f"{args.demands} linked demands, {args.supporters} supporters ({people} people told per update), "
            f"{args.requests} requests each, interleaved (in-process)"
        )
        rows = (("demand transition", transitions), ("project update", updates), ("  its fan-out (worker)", fan_outs))
        for name, values in rows:
            p50 = statistics.median(values)
            p95 = sorted(values)[max(0, int(len(values) * 0.95) - 1)]
            print(f"  {name:20s} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   ratio {p50 / base:5.2f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
