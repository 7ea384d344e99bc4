"""`leadledger replay`'s phases, one process, CPU seconds: where the time of bench_replay.py goes.

Run:  .venv/bin/python benchmarks/bench_replay.py --write /tmp/bench.json
      .venv/bin/python benchmarks/bench_replay_phases.py /tmp/bench.json [--repeats 4] [--before /tmp/old/src]

Each repeat runs the phases in a new process (imports, reading the file as the program does, reading
the scenario, building the timeline, answering every question, writing the answers as the program
does, in UTF-8), alternating with an older checkout's src when `--before` is given, and prints the
fastest of each phase.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

PHASES = r"""
import sys, time, gc, json
if len(sys.argv) > 2:
    sys.path.insert(0, sys.argv[2])
start = time.process_time()
from leadledger.replay import indented_json, read_file
try:
    from leadledger.replay import indented_bytes  # orjson's writer (r12b, decision 501)
except ImportError:  # an older checkout: the text, encoded as standard output encodes it
    indented_bytes = lambda document: None
from leadledger.engine.scenario import read_scenario
from leadledger.engine.timeline import Timeline
from leadledger.engine import answers
gc.disable()  # as the program runs
took = {"imports": time.process_time() - start}
mark = time.process_time()
def lap(name):
    global mark
    now = time.process_time()
    took[name] = now - mark
    mark = now
data = read_file(sys.argv[1])  # as the program reads it (json.load before decision 500, orjson after)
lap("file read")
scenario = read_scenario(data)
lap("read")
timeline = Timeline(scenario.cast, scenario.policy, scenario.events)
lap("timeline")
try:
    outcome = answers._answer_each(timeline, scenario.questions, "zh")
except AttributeError:  # before the questions were given as a sequence
    outcome = answers._answer_each(timeline, scenario, "zh")
lap("answer")
document = {"results": outcome.answers}
written = indented_bytes(document)
if written is None:
    written = indented_json(document).encode("utf-8")
lap("write")
took["total"] = time.process_time() - start
print(json.dumps(took))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--before", metavar="SRC", help="an older checkout's src folder, measured alternately")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"before": [], "this": []} if args.before else {"this": []}
    for _ in range(args.repeats):
        for name in runs:
            extra = [args.before] if name == "before" else []
            done = subprocess.run(
                [sys.executable, "-c", PHASES, args.scenario, *extra], capture_output=True, text=True, check=True
            )
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for name, measured in runs.items():
        print(name, json.dumps({key: round(min(run[key] for run in measured), 3) for key in measured[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
