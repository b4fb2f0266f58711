"""Run folders under the state folder: one per run, the last KEEP_RUNS kept for --debug and post-mortems,
none holding a secret once its run is over (scrub), those of dead labctl processes scrubbed later (sweep)."""

import os
import shutil
import time
from pathlib import Path

from labctl.core import lock
from labctl.core.extravars import EXTRAVARS_FILE
from labctl.core.secrets import redact, redact_values

KEEP_RUNS = 20  # run folders kept under the state dir for --debug and post-mortems

SCRUBBED = "scrubbed"  # marker: this folder holds no secrets any more


def scrub(private: Path, secrets: list[str] | None = None) -> None:
    """Drop or mask what may hold secrets: the extra vars, ansible-runner's env/, the command and its
    environment, event files the run did not get to (they skipped the redaction), and the output's
    NAME=VALUE secrets (a --debug run prints podman_container_info's Config.Env)."""
    shutil.rmtree(private / "env", ignore_errors=True)
    (private / EXTRAVARS_FILE).unlink(missing_ok=True)
    artifacts = private / "artifacts"
    for leftover in [*artifacts.glob("*/command"), *artifacts.glob("*/job_events/*-partial.json")]:
        leftover.unlink(missing_ok=True)
    for output in [*artifacts.glob("*/stdout"), *artifacts.glob("*/stderr")]:
        text = output.read_text(encoding="utf-8", errors="replace")
        clean = redact_values("\n".join(map(redact, text.split("\n"))), secrets or [])
        if clean != text:
            output.write_text(clean, encoding="utf-8")
    (private / SCRUBBED).touch()


def sweep(runs: Path) -> None:
    """Scrub the run folders of labctl processes that died before they could (SIGKILL, a crash)."""
    for folder in runs.iterdir():
        if not folder.is_dir() or (folder / SCRUBBED).exists():
            continue
        if _running(folder):
            continue  # still running (another store's labctl sharing this state folder)
        scrub(folder)


def _running(folder: Path) -> bool:
    """Whether the labctl process that made this run folder is still at work (status -i runs beside others)."""
    pid = folder.name.split("-")[2] if folder.name.count("-") >= 3 else ""
    return pid.isdigit() and int(pid) != os.getpid() and lock.alive(int(pid))


def new_private_dir(runs: Path, label: str) -> Path:
    old = sorted(p for p in runs.iterdir() if p.is_dir())
    for stale in old[: max(0, len(old) - KEEP_RUNS + 1)]:
        if not _running(stale):  # never pull a folder from under a run that is still going
            shutil.rmtree(stale, ignore_errors=True)
    private = runs / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{label}"
    private.mkdir(mode=0o700)
    return private


def error_line(private: Path) -> str:
    """The line of Ansible's output that says what went wrong, for runs that failed before any task."""
    lines: list[str] = []
    for stdout in (private / "artifacts").glob("*/stdout"):
        lines += [line.strip() for line in stdout.read_text(errors="replace").splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith(("[ERROR]", "ERROR!"))]
    errors = marked[:1] or [line for line in lines if "error" in line.lower() and not line.startswith(("{", '"'))]
    return (errors or lines or ["no output"])[-1][:300]
