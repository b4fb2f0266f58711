#!/usr/bin/env python3
"""Time labctl against the course's own commands and against Ansible's floor, per scenario.

    bench/run.py [--repeat N] [--checkout DIR] [SCENARIO ...]   (default: every bench/course/<id>/)

The floor is one `ansible-playbook` run of a single local task, measured in the same run, so the
multiples hold on slow and fast machines alike. For each scenario: the course's set-up and clean-up
scripts, then labctl up from clean, a second up (no-op), verify, reset and clean; medians of N
rounds, each also as a multiple of the floor, and where the time of each verb goes (the slowest
tasks, from the run's events). --checkout runs the labctl of another checkout (e.g. a `git worktree`
of an older commit) with this venv, to compare before and after.
Results also go to bench/results/<date>.json. Needs the scenario's images (`labctl images pull`, or
`labctl images build-lookalikes` without a registry).
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

from labctl.core.paths import state_dir

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
LABCTL = [shutil.which("labctl", path=str(BIN)) or "labctl"]


def labctl_of(checkout: str) -> list[str]:
    """The command that runs the labctl of a checkout with this venv (`python -c` puts the working
    folder first on sys.path: put the checkout before it). bench/tasks.py uses it too."""
    where = str(Path(checkout).resolve())
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {where!r}); from labctl.cli.app import main; main()"]


# Aims as multiples of the floor (issue 8).
FLOOR_AIMS = {("up (no-op)", None): 1.3, ("up from clean", "ex5"): 3.0, ("reset", "ex2"): 8.0}
VERBS = ("up from clean", "up (no-op)", "verify", "reset", "clean")


def floor(repeat: int = 5) -> float:
    """One ansible-playbook run of a single local task: what any labctl verb costs at least."""
    with tempfile.TemporaryDirectory() as tmp:
        playbook = Path(tmp) / "floor.yml"
        playbook.write_text(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug: {msg: floor}\n"
        )
        cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
        env = {**os.environ, "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}
        times = []
        for _ in range(repeat):
            start = time.monotonic()
            subprocess.run(cmd, capture_output=True, env=env, check=True)
            times.append(time.monotonic() - start)
    return statistics.median(times)


def where_time_goes(since: float, top: int = 4) -> list[tuple[str, float, int]]:
    """The slowest tasks of the run labctl made since `since` (none for a quick look), from its events."""
    # This labctl's run folders (root's: /var/lib/labctl/runs), or an older labctl's (--checkout).
    older = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local/state") / "labctl" / "runs"
    folders = [p for runs in (state_dir() / "runs", older) if runs.is_dir() for p in runs.iterdir()]
    fresh = [p for p in folders if p.is_dir() and p.stat().st_mtime >= since]
    latest = max(fresh, key=lambda p: p.stat().st_mtime, default=None)
    spent: collections.Counter = collections.Counter()
    count: collections.Counter = collections.Counter()
    for event_file in (latest or Path("/nonexistent")).glob("artifacts/*/job_events/*.json"):
        data = json.loads(event_file.read_text()).get("event_data", {})
        if "duration" in data and data.get("task") and not event_file.name.count("item"):
            spent[data["task"]] += float(data["duration"])
            count[data["task"]] += 1
    return [(task, round(sec, 2), count[task]) for task, sec in spent.most_common(top)]


def timed(cmd: list[str]) -> float:
    """Seconds the command took; the bench stops on a failure."""
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return elapsed


def one_round(scenario: str, tasks: dict[str, list]) -> dict[str, float]:
    course = HERE / "course" / scenario
    subprocess.run([*LABCTL, "clean", scenario], capture_output=True)
    times = {
        "course up": timed(["bash", str(course / "up.sh")]),
        "course clean": timed(["bash", str(course / "clean.sh")]),
    }
    for verb in VERBS:
        since = time.time()
        times[verb] = timed([*LABCTL, verb.split()[0], scenario])
        tasks[verb] = where_time_goes(since)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkout", help="run the labctl of this checkout (with this venv)")
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    if args.checkout:
        LABCTL[:] = labctl_of(args.checkout)
    scenarios = args.scenarios or sorted(p.name for p in (HERE / "course").iterdir() if p.is_dir())
    base = floor()
    print(f"floor: one ansible-playbook run of a single local task = {base:.2f} s")
    report: dict = {"floor_s": base, "checkout": args.checkout or str(HERE.parent)}
    for scenario in scenarios:
        tasks: dict[str, list] = {}
        rounds = [one_round(scenario, tasks) for _ in range(args.repeat)]
        medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        report[scenario] = {"median_s": medians, "x_floor": {v: medians[v] / base for v in VERBS}, "tasks": tasks}
        print(f"\n{scenario} (median of {args.repeat}; course up {medians['course up']:.2f} s)")
        for verb in VERBS:
            aim = FLOOR_AIMS.get((verb, scenario)) or FLOOR_AIMS.get((verb, None))
            multiple = medians[verb] / base
            verdict = f"aim <= {aim:.1f}x: {'met' if multiple <= aim else 'MISSED'}" if aim else ""
            slowest = "; ".join(f"{t} {s:.1f}s" + (f" x{n}" if n > 1 else "") for t, s, n in tasks[verb][:3])
            print(f"  {verb:<14} {medians[verb]:6.2f} s {multiple:5.1f}x floor  {verdict:<18} [{slowest}]")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
