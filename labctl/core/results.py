"""The result model of a run (checks, failures, per-host stats) and its one verdict, per machine.

A RunResult is what ansible-runner's events and stats say of one run; `machine()` judges one machine's
part of it (its exit code and one sentence why), for a run on one machine and for a room alike; `worst()`
gives the run's exit code: 4 unreachable > 3 not ready > 1 failed > 5 not enforced > 0.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Check:
    """One check of a verify (or host check) run, as the labctl.lab.check action reported it."""

    host: str
    name: str
    status: str  # PASS, FAIL, SKIP, NOT_ENFORCED, WARN, INFO
    expected: str = ""
    found: str = ""
    hint: str = ""
    # A SKIP is a failure (a precondition failed) unless its check says why it is none (excused).
    excused: bool = False
    acts: str = ""  # what the check does to the lab to know (a restart, an allocation), if anything
    id: str = ""  # stable across machines and port offsets (a slug): the class matrix's column

    @property
    def failing(self) -> bool:
        return self.status == "FAIL" or (self.status == "SKIP" and not self.excused)


@dataclass(frozen=True)
class Failure:
    host: str
    task: str
    message: str
    role: str = ""
    explicit: bool = False  # a fail/assert task: its message was written for the user
    exit_code: int | None = None  # a labctl.lab module's own verdict (labctl_exit_code), e.g. 3: host not ready


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
    hosts: list[str] = field(default_factory=list)  # the hosts the run was for (inventory, --limit applied)
    seconds: dict[str, float] = field(default_factory=dict)  # host -> from its first task to its last event
    students: dict[str, str] = field(default_factory=dict)  # host -> its inventory variable lab_student

    @property
    def ok(self) -> bool:
        return self.status == "successful" and not self.failures and not self.unreachable

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.stats.values())


def stats_of(raw: dict[str, Any] | None) -> dict[str, HostStats]:
    """ansible-runner's stats (ok, changed, failures, dark, skipped by host) per host."""
    stats: dict[str, HostStats] = {}
    if not raw:
        return stats
    fields = {"ok": "ok", "changed": "changed", "failures": "failed", "dark": "unreachable", "skipped": "skipped"}
    for key, attr in fields.items():
        for host, count in (raw.get(key) or {}).items():
            setattr(stats.setdefault(host, HostStats()), attr, count)
    return stats
