#!/usr/bin/env python3
"""Time labctl against the course's own commands, per scenario, on this machine.

    bench/run.py [--repeat N] [SCENARIO ...]     (default: every scenario with a bench/course/<id>/)

For each scenario: the course's set-up and clean-up scripts, then labctl clean (baseline), up from
clean, a second up (no-op), verify, reset and clean; medians of N rounds, ratios, and the aims.
Results also go to bench/results/<date>.json. Needs the scenario's images (tests/images/build.py).
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABCTL = shutil.which("labctl", path=str(Path(sys.executable).parent)) or "labctl"
AIMS = {"up (no-op)": ("abs", 3.0), "clean": ("abs", 3.0), "up from clean": ("ratio", 3.0)}


def timed(cmd: list[str]) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return elapsed


def one_round(scenario: str) -> dict[str, float]:
    course = HERE / "course" / scenario
    subprocess.run([LABCTL, "clean", scenario], capture_output=True)
    times = {
        "course up": timed(["bash", str(course / "up.sh")]),
        "course clean": timed(["bash", str(course / "clean.sh")]),
    }
    times["up from clean"] = timed([LABCTL, "up", scenario])
    times["up (no-op)"] = timed([LABCTL, "up", scenario])
    times["verify"] = timed([LABCTL, "verify", scenario])
    times["reset"] = timed([LABCTL, "reset", scenario])
    times["clean"] = timed([LABCTL, "clean", scenario])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    scenarios = args.scenarios or sorted(p.name for p in (HERE / "course").iterdir() if p.is_dir())
    report = {}
    for scenario in scenarios:
        rounds = [one_round(scenario) for _ in range(args.repeat)]
        medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        ratios = {
            "up from clean / course up": medians["up from clean"] / medians["course up"],
            "clean / course clean": medians["clean"] / medians["course clean"],
        }
        report[scenario] = {"median_s": medians, "ratios": ratios, "rounds": rounds}
        print(f"\n{scenario} (median of {args.repeat})")
        for name, value in medians.items():
            aim = AIMS.get(name)
            verdict = ""
            if aim and aim[0] == "abs":
                verdict = f"aim <= {aim[1]:.1f} s: {'met' if value <= aim[1] else 'MISSED'}"
            elif aim:
                ratio = value / medians["course up"]
                verdict = f"{ratio:.2f}x course; aim <= {aim[1]:.0f}x: {'met' if ratio <= aim[1] else 'MISSED'}"
            print(f"  {name:<15} {value:6.2f} s  {verdict}")
        for name, ratio in ratios.items():
            print(f"  {name:<28} {ratio:5.2f}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
