#!/usr/bin/env python3
"""A room's curve: labctl on 1 machine and on N at once (Ansible's forks), against N runs one after another.

    bench/room.py [--machines 1,4,8]      (as root; run alone: it brings up tests/room/ machines)

For the largest N a room is brought up and set up once (`host setup -i`); each size then uses the
first N machines (`-l`). Per size: `up ex1` from clean (images copied the first time only), a second
`up`, `verify` and `reset`; one after another is N times the 1-machine figure. The room goes down at
the end, whatever happens. Results also go to bench/results/room-<date>.json.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.room.room import Room  # noqa: E402

LABCTL = str(Path(sys.executable).parent / "labctl")


def timed(*args: str) -> float:
    started = time.monotonic()
    proc = subprocess.run([LABCTL, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"labctl {' '.join(args)} failed: {proc.stdout[-800:]} {proc.stderr[-800:]}")
    return round(time.monotonic() - started, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--machines", default="1,4,8")
    sizes = sorted({int(n) for n in ap.parse_args().machines.split(",")})
    room = Room(tempfile.mkdtemp(prefix="labctl-bench-room-"), prefix="labctl-benchroom-")
    results: dict[str, object] = {}
    try:
        room.up(max(sizes))
        inv = ["-i", str(room.inventory), "--become"]
        results["host setup (all)"] = timed("host", "setup", *inv)
        for n in sizes:
            hosts = ",".join(f"m{i}" for i in range(1, n + 1))
            at = [*inv, "-l", hosts]
            timed("clean", "ex1", *at)
            row = {
                "up from clean": timed("up", "ex1", *at),
                "up again": timed("up", "ex1", *at),
                "verify": timed("verify", "ex1", *at),
                "reset": timed("reset", "ex1", *at),
            }
            results[f"{n} machine(s)"] = row
            print(n, row, flush=True)
        one = results[f"{sizes[0]} machine(s)"]
        for n in sizes[1:]:
            results[f"{n} machine(s) / one after another"] = {
                verb: round(t / (one[verb] * n), 2) for verb, t in results[f"{n} machine(s)"].items()
            }
            results[f"{n} machine(s) / 1 machine"] = {
                verb: round(t / one[verb], 2) for verb, t in results[f"{n} machine(s)"].items()
            }
    finally:
        room.down()
    print(json.dumps(results, indent=2))
    out = HERE / "results" / f"room-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
