"""The full five-exercise cycle on the test VM, as root and rootless (`student`): not in CI (minutes per verb).

    python tests/vm/vm.py cycle [-- --accounts root,student --exercises ex1,ex2,ex3,ex4,ex5 --out FILE]

Boots a fresh VM (the cached disk), runs `labctl host setup --lab-user student`, copies the stand-in images
from this host's store, then for each account and exercise: up -> verify (all PASS) -> up (0 changed)
-> reset -> clean (and nothing of the exercise left), each timed, with the number of Ansible tasks it ran
(ok + failed from the stats).
Prints a table and writes the figures as JSON (default /tmp/labctl-vm-cycle.json). qemu is stopped at
the end, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.vm import vm as vmlib

ROOT = Path(__file__).resolve().parents[2]
IMAGES = [
    "docker.io/library/alpine:latest",
    "docker.io/library/nginx:alpine",
    "docker.io/library/nginx:1.25-alpine",
    "docker.io/library/mysql:8.0",
    "docker.io/library/python:3.12-slim",
]
VERBS = (("up", []), ("verify", []), ("up again", []), ("reset", []), ("clean", []))


def labctl(*args: str) -> tuple[int, dict, float]:
    start = time.monotonic()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "labctl"), *args, "--json"], capture_output=True, text=True, timeout=3600
    )
    seconds = time.monotonic() - start
    try:
        data = json.loads(proc.stdout or "{}")
    except ValueError:
        data = {}
    if proc.returncode not in (0, 5):
        data.setdefault("error", proc.stderr.strip()[-500:])
    return proc.returncode, data, seconds


def leftovers(machine: vmlib.VM, account: str, exercise: str) -> list[str]:
    """What of the exercise the account's Podman still has: containers, pods, volumes, networks, secrets."""
    label = f"--filter label=io.labctl.scenario={exercise}"
    listings = {
        "container": f"ps -a {label} --format '{{{{.Names}}}}'",
        "pod": f"pod ps {label} --format '{{{{.Name}}}}'",
        "volume": f"volume ls {label} --format '{{{{.Name}}}}'",
        "network": f"network ls {label} --format '{{{{.Name}}}}'",
        "secret": "secret ls --format '{{.Name}}'",  # secrets carry no label filter in Podman 4.3
    }
    found = []
    for kind, listing in listings.items():
        names = machine.ssh(f"podman {listing}", user=account).stdout.split()
        found += [f"{kind} {n}" for n in names if kind != "secret" or n.startswith(exercise)]
    return found


def tasks(data: dict) -> int:
    return sum(s.get("ok", 0) + s.get("failed", 0) for s in (data.get("hosts") or {}).values())


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="vm.py cycle")
    p.add_argument("--accounts", default="root,student")
    p.add_argument("--exercises", default="ex1,ex2,ex3,ex4,ex5")
    p.add_argument("--out", type=Path, default=Path("/tmp/labctl-vm-cycle.json"))
    a = p.parse_args(argv)
    figures: dict = {"rows": []}
    start = time.monotonic()
    vmlib.build()
    figures["build_or_cache_s"] = round(time.monotonic() - start, 1)
    run = Path(tempfile.mkdtemp(prefix="labctl-vm-cycle-"))
    os.rmdir(run)
    machine = vmlib.up(run)
    failed = 0
    try:
        figures["boot_to_ssh_s"] = float((run / "boot_seconds").read_text())
        rc, data, seconds = labctl("host", "setup", "-i", str(machine.inventory()), "--lab-user", "student")
        figures["host_setup"] = {"rc": rc, "s": round(seconds, 1), "tasks": tasks(data)}
        start = time.monotonic()
        vmlib.load_images(machine, IMAGES, users=tuple(a.accounts.split(",")))
        figures["images_s"] = round(time.monotonic() - start, 1)
        for account in a.accounts.split(","):
            inventory = str(machine.inventory(account))
            for ex in a.exercises.split(","):
                for label, extra in VERBS:
                    verb = label.split()[0]
                    rc, data, seconds = labctl(verb, ex, "-i", inventory, *extra)
                    row = {
                        "account": account,
                        "exercise": ex,
                        "verb": label,
                        "rc": rc,
                        "s": round(seconds, 1),
                        "tasks": tasks(data),
                        "changed": data.get("changed"),
                    }
                    if verb == "verify":
                        row["not_pass"] = [
                            c["name"] for c in data.get("checks", []) if c["status"] not in ("PASS", "INFO", "WARN")
                        ]
                    if verb == "clean":
                        row["left"] = leftovers(machine, account, ex)
                        failed += bool(row["left"])
                    if "error" in data:
                        row["error"] = data["error"]
                    failed += rc not in (0,)
                    figures["rows"].append(row)
                    print(json.dumps(row), flush=True)
    finally:
        vmlib.down(machine)
        a.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"{'account':8} {'ex':4} {'verb':9} {'rc':>3} {'s':>7} {'tasks':>5} changed")
    for r in figures["rows"]:
        print(
            f"{r['account']:8} {r['exercise']:4} {r['verb']:9} {r['rc']:>3} {r['s']:>7} {r['tasks']:>5} {r['changed']}"
        )
    print(f"figures: {a.out}")
    return 1 if failed else 0
