"""The one wrapper around ansible-runner: a fresh private data dir per run, results from events and stats."""

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ansible_runner

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.paths import content_dir, state_dir

KEEP_RUNS = 20  # run folders kept under the state dir for --debug and post-mortems

EXPLICIT_ACTIONS = ("ansible.builtin.fail", "ansible.builtin.assert")

ProgressCallback = Callable[[str, str], None]  # (host, task name)


@dataclass(frozen=True)
class Check:
    """One check of a verify (or host check) run, as the labctl.lab.check action reported it."""

    host: str
    name: str
    status: str  # PASS, FAIL, SKIP, NOT_ENFORCED, WARN, INFO
    expected: str = ""
    found: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Failure:
    host: str
    task: str
    message: str
    role: str = ""
    explicit: bool = False  # a fail/assert task: its message was written for the user


@dataclass
class HostStats:
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0


@dataclass
class RunResult:
    status: str
    rc: int
    duration: float
    artifacts: Path
    stats: dict[str, HostStats] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unreachable: list[Failure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    changed_tasks: list[tuple[str, str]] = field(default_factory=list)  # (host, task)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> merged labctl_report data

    @property
    def ok(self) -> bool:
        return self.status == "successful" and not self.failures and not self.unreachable

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.stats.values())


def _failure_message(res: dict[str, Any]) -> str:
    """A task's error in a line or two: its msg, plus the last line of stderr when that says more."""
    msg = str(res.get("msg") or "").strip()
    stderr = str(res.get("stderr") or res.get("module_stderr") or "").strip()
    last = stderr.splitlines()[-1].strip() if stderr else ""
    if msg in ("", "non-zero return code", "MODULE FAILURE\nSee stdout/stderr for the exact error") and last:
        return last
    if last and last not in msg and len(msg) < 80:
        return f"{msg} ({last})"
    return msg.splitlines()[0] if msg else "the task failed without a message"


class _EventCollector:
    def __init__(self, on_progress: ProgressCallback | None):
        self.on_progress = on_progress
        self.failures: list[Failure] = []
        self.unreachable: list[Failure] = []
        self.checks: list[Check] = []
        self.changed_tasks: list[tuple[str, str]] = []
        self.reports: dict[str, dict[str, Any]] = {}
        self.current_task = ""

    def __call__(self, event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data", {})
        host = data.get("host", "")
        if kind == "playbook_on_task_start":
            self.current_task = data.get("task", "")
            if self.on_progress and self.current_task:
                self.on_progress(host, self.current_task)
        elif kind in ("runner_on_ok", "runner_on_failed", "runner_item_on_ok", "runner_item_on_failed"):
            res = data.get("res") or {}
            self._collect(host, res)
            if kind == "runner_on_failed" and not data.get("ignore_errors"):
                explicit = data.get("resolved_action", "") in EXPLICIT_ACTIONS
                failure = Failure(host, data.get("task", ""), _failure_message(res), data.get("role", ""), explicit)
                self.failures.append(failure)
            if kind == "runner_on_ok" and res.get("changed"):
                self.changed_tasks.append((host, data.get("task", "")))
        elif kind == "runner_on_unreachable":
            res = data.get("res") or {}
            self.unreachable.append(Failure(host, data.get("task", ""), str(res.get("msg", "unreachable"))))
        return True  # keep the event on disk: r.stats depends on it

    def _collect(self, host: str, res: dict[str, Any]) -> None:
        check = res.get("labctl_check")
        if isinstance(check, dict):
            self.checks.append(
                Check(
                    host=host, **{k: str(check.get(k) or "") for k in ("name", "status", "expected", "found", "hint")}
                )
            )
        report = res.get("labctl_report")
        if isinstance(report, dict):
            self.reports.setdefault(host, {}).update(report)


def _error_line(private: Path) -> str:
    """The line of Ansible's output that says what went wrong, for runs that failed before any task."""
    lines: list[str] = []
    for stdout in (private / "artifacts").glob("*/stdout"):
        lines += [line.strip() for line in stdout.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[-1][:300]


def _new_private_dir(label: str) -> Path:
    runs = state_dir() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    old = sorted(p for p in runs.iterdir() if p.is_dir())
    for stale in old[: max(0, len(old) - KEEP_RUNS + 1)]:
        shutil.rmtree(stale, ignore_errors=True)
    private = runs / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{label}"
    private.mkdir(mode=0o700)
    return private


def _ansible_env() -> dict[str, str]:
    content = content_dir()
    bindir = str(Path(sys.executable).parent)
    return {
        "PATH": bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "ANSIBLE_ROLES_PATH": str(content / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": str(content / "collections"),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_SYSTEM_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
    }


def _local_inventory() -> dict[str, Any]:
    return {
        "all": {
            "hosts": {
                "localhost": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                }
            }
        }
    }


def _stats(raw: dict[str, Any] | None) -> dict[str, HostStats]:
    stats: dict[str, HostStats] = {}
    if not raw:
        return stats
    fields = {"ok": "ok", "changed": "changed", "failures": "failed", "dark": "unreachable", "skipped": "skipped"}
    for key, attr in fields.items():
        for host, count in (raw.get(key) or {}).items():
            setattr(stats.setdefault(host, HostStats()), attr, count)
    return stats


def _scrub(private: Path) -> None:
    """Drop what may hold secrets: extravars (passwords) and the process environment."""
    shutil.rmtree(private / "env", ignore_errors=True)
    for command_file in (private / "artifacts").glob("*/command"):
        command_file.unlink(missing_ok=True)


def run_playbook(
    playbook: str,
    extravars: dict[str, Any],
    *,
    label: str,
    inventory: str | None = None,
    limit: str | None = None,
    on_progress: ProgressCallback | None = None,
    verbosity: int = 0,
) -> RunResult:
    """Run one of labctl's playbooks and return what happened, without parsing any stdout."""
    playbook_path = content_dir() / "playbooks" / playbook
    private = _new_private_dir(label)
    collector = _EventCollector(on_progress)
    started = time.monotonic()
    runner = ansible_runner.run(
        private_data_dir=str(private),
        playbook=str(playbook_path),
        inventory=inventory or _local_inventory(),
        limit=limit,
        extravars=extravars,
        envvars=_ansible_env(),
        quiet=True,
        verbosity=verbosity,
        event_handler=collector,
    )
    duration = time.monotonic() - started
    _scrub(private)
    result = RunResult(
        status=runner.status,
        rc=runner.rc,
        duration=duration,
        artifacts=private,
        stats=_stats(runner.stats),
        failures=collector.failures,
        unreachable=collector.unreachable,
        checks=collector.checks,
        changed_tasks=collector.changed_tasks,
        reports=collector.reports,
    )
    if runner.status != "successful" and not result.failures and not result.unreachable:
        raise LabctlError(
            f"Ansible could not run {playbook} ({runner.status}): {_error_line(private)}; "
            f"see {private} for the full log.",
            ExitCode.HOST_NOT_READY,
        )
    (private / "labctl-result.json").write_text(json.dumps({"status": result.status, "rc": result.rc}))
    return result
