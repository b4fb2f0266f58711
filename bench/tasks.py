#!/usr/bin/env python3
"""Count the Ansible tasks each verb runs and skips, per scenario, from the events of real runs.

    bench/tasks.py [--checkout DIR] [-i INVENTORY] [--repeat N] [--out FILE] [SCENARIO ...]
    (default: ex1 … ex5)

For each scenario, from clean: up, up again (the quick second up: no Ansible on this machine, the
playbook's one look with -i), up --converge (every task, nothing to change), verify, verify
--look-only, reset, clean, prepare, clean. With -i every verb runs on the inventory's machines, as
for a room (a machine reached over SSH: the flow the VM and a classroom see). For each verb: the
tasks that started, ran (ok or changed), were skipped, changed and failed, and the seconds labctl
took, read from the run folder's job_events (ansible-runner's artifacts). --checkout runs the labctl
of another checkout (e.g. a `git worktree` of an older commit) with this venv, to compare before and
after on one machine.
Needs the scenarios' images and this host's Podman (run it under the shared test lock).
"""

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
LABCTL = [shutil.which("labctl", path=str(BIN)) or "labctl"]
RUNS = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local/state") / "labctl" / "runs"
KINDS = {
    "runner_on_ok": "ran",
    "runner_on_skipped": "skipped",
    "runner_on_failed": "failed",
    "playbook_on_task_start": "started",
}


def count(since: float) -> dict:
    """Task counts of the run labctl made since `since` (all zero when it needed no Ansible run), and
    the tasks that took longest."""
    fresh = [p for p in RUNS.iterdir() if p.is_dir() and p.stat().st_mtime >= since] if RUNS.is_dir() else []
    latest = max(fresh, key=lambda p: p.stat().st_mtime, default=None)
    counts: collections.Counter = collections.Counter({kind: 0 for kind in KINDS.values()})
    counts["changed"] = 0
    spent: collections.Counter = collections.Counter()
    for event_file in (latest or Path("/nonexistent")).glob("artifacts/*/job_events/*.json"):
        event = json.loads(event_file.read_text())
        kind = KINDS.get(event.get("event", ""))
        data = event.get("event_data", {})
        if kind:
            counts[kind] += 1
            if kind == "ran" and (data.get("res") or {}).get("changed"):
                counts["changed"] += 1
        if kind in ("ran", "failed") and data.get("duration"):
            spent[data.get("task", "")] += float(data["duration"])
    return {**counts, "slowest": [(task, round(sec, 2)) for task, sec in spent.most_common(4)]}


def verb(args: list[str]) -> dict:
    since = time.time()
    start = time.monotonic()
    proc = subprocess.run([*LABCTL, *args], capture_output=True, text=True)
    seconds = round(time.monotonic() - start, 2)
    if proc.returncode != 0:
        sys.exit(f"bench: labctl {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-600:]}")
    return {"seconds": seconds, **count(since)}


def median_rounds(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """The last round's counts, with the median seconds of all rounds."""
    return {
        name: {**rounds[-1][name], "seconds": round(statistics.median(r[name]["seconds"] for r in rounds), 2)}
        for name in rounds[-1]
    }


def scenario_round(scenario: str, where: list[str]) -> dict[str, dict]:
    subprocess.run([*LABCTL, "clean", scenario, *where], capture_output=True)
    with tempfile.TemporaryDirectory(prefix="labctl-bench-") as workdir:
        steps = {
            "up from clean": ["up", scenario],
            "up again": ["up", scenario],
            "up --converge": ["up", scenario, "--converge"],
            "verify": ["verify", scenario],
            "verify --look-only": ["verify", scenario, "--look-only"],
            "reset": ["reset", scenario],
            "clean": ["clean", scenario],
            "prepare": ["prepare", scenario, "--dir", workdir],
            "clean after prepare": ["clean", scenario],
        }
        return {name: verb([*args, *where]) for name, args in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", help="run the labctl of this checkout (with this venv)")
    parser.add_argument("-i", "--inventory", help="run every verb on this inventory's machines")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per scenario (median seconds)")
    parser.add_argument("--out", help="write the counts as JSON to this file")
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    if args.checkout:
        from run import labctl_of  # bench/run.py, beside this script

        LABCTL[:] = labctl_of(args.checkout)
    report = {}
    for scenario in args.scenarios or [f"ex{n}" for n in range(1, 6)]:
        where = ["-i", args.inventory] if args.inventory else []
        report[scenario] = median_rounds([scenario_round(scenario, where) for _ in range(args.repeat)])
        print(f"\n{scenario}")
        for name, c in report[scenario].items():
            print(
                f"  {name:<20} {c['seconds']:6.2f} s  started {c['started']:3}  ran {c['ran']:3}"
                f"  skipped {c['skipped']:3}  changed {c['changed']:3}"
            )
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
