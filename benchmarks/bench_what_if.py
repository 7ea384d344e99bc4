"""Time a project-wide what-if phase by phase (wall and CPU), on a database bench_ledger.py built.

Run:  .venv/bin/python benchmarks/bench_what_if.py --database sqlite:////tmp/bench.sqlite3 [--proposal JSON]
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--project", default="bench")
    parser.add_argument("--proposal", default='{"valid_days": 15}')
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from leadledger import engine
    from leadledger.engine.timeline import collector_paused
    from leadledger.ledger import models, selectors

    project = models.Project.objects.get(code=args.project)
    policy = engine.policy_from({**json.loads(args.proposal), "time_zone": project.time_zone})
    mark = time.perf_counter(), time.process_time()

    def lap(label: str) -> None:
        nonlocal mark
        now = time.perf_counter(), time.process_time()
        print(f"{label}: wall {now[0] - mark[0]:.1f} s, CPU {now[1] - mark[1]:.1f} s", flush=True)
        mark = now

    with collector_paused():
        timeline = selectors.whole_timeline(project, policy)
    lap("the whole project's timeline under the proposal")
    moments = {
        str(cid): at
        for cid, at in models.Verdict.objects.filter(project=project).values_list("customer_id", "judged_at")
    }
    lap(f"{len(moments):,} stored verdicts read")
    with collector_paused():
        timeline.standings_at(moments)
    lap("every customer judged at its verdict's moment")


if __name__ == "__main__":
    main()
