"""The result model of a run (checks, failures, per-host stats) and its one verdict, per machine.

A RunResult is what ansible-runner's events and stats say of one run; `machine()` judges one machine's
part of it (its exit code and one sentence why), for a run on one machine and for a room alike; `worst()`
gives the run's exit code: 4 unreachable > 3 not ready > 1 failed > 5 not enforced > 0.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from labctl.core.environment import task_timeout
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import N_, _, ngettext


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
    reason: str = ""  # a stop's stable key (module_utils.reasons, e.g. port_stop): --json keeps it in any language


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


# --- the verdict: one machine's part of a run ---------------------------------------------------------

# The exit code of a run on several machines: the first of these that any machine has, else 0.
PRECEDENCE = (ExitCode.UNREACHABLE, ExitCode.HOST_NOT_READY, ExitCode.FAILED, ExitCode.NOT_ENFORCED)

OK, FAILED, UNREACHABLE, NOT_READY, NOT_ENFORCED = "ok", "failed", "unreachable", "not ready", "not enforced"
RESULT_OF = {
    ExitCode.OK: OK,
    ExitCode.FAILED: FAILED,
    ExitCode.UNREACHABLE: UNREACHABLE,
    ExitCode.HOST_NOT_READY: NOT_READY,
    ExitCode.NOT_ENFORCED: NOT_ENFORCED,
}
# What a machine's result is called where it is shown (the result itself stays a stable English word in --json).
RESULT_WORDS = {
    OK: N_("ok"),
    FAILED: N_("failed"),
    UNREACHABLE: N_("unreachable"),
    NOT_READY: N_("not ready"),
    NOT_ENFORCED: N_("not enforced"),
}
MARK = {"PASS": "✓", "FAIL": "✗", "SKIP": "\u2013", "NOT_ENFORCED": "?", "WARN": "!", "INFO": "✓"}


@dataclass
class Machine:
    """One machine's part of a run."""

    host: str
    result: str
    exit_code: int
    changed: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    reason: str = ""  # for a machine that did not succeed: one sentence
    checks: list[Check] = field(default_factory=list)
    student: str = ""  # the inventory's lab_student for the host, else the host name
    store: str = ""  # whose Podman store the run worked on there ("student07's store"), when it said

    def as_json(self) -> dict[str, Any]:
        """Stable English keys and check ids; `text` is each check's words as shown (in the language of the run)."""
        return {**asdict(self), "checks": [{**asdict(c), "text": check_text(c)} for c in self.checks]}


def result_word(result: str) -> str:
    """A machine's result (ok, failed, …) in the language shown."""
    return _(RESULT_WORDS[result]) if result in RESULT_WORDS else result


def worst(codes: Iterable[int]) -> ExitCode:
    """4 unreachable, then 3 not ready, then 1 failed, then 5 not enforced, then any other, else 0."""
    seen = {int(c) for c in codes}
    for code in PRECEDENCE:
        if code in seen:
            return code
    others = sorted(seen - {0})
    return ExitCode(others[0]) if others else ExitCode.OK


SUDO_REFUSED = (
    "missing sudo password",
    "incorrect sudo password",
    "a password is required",
    "is not in the sudoers file",
    "not allowed to execute",
    "waiting for privilege escalation prompt",
)


def _sudo_refused(message: str) -> bool:
    return any(words in message.lower() for words in SUDO_REFUSED)


def sudo_refusal(message: str) -> str:
    return _(
        "sudo refused to make the user root ({message}): give -K/--ask-become-pass for the password, "
        "or allow the user sudo without one."
    ).format(message=message)


def host_trouble(message: str) -> str:
    """A sentence for what no exercise can fix, however a module words it: a full disk, a hung Podman."""
    low = message.lower()
    if "no space left on device" in low:
        return _(
            "the disk is full (no space left on device); free some space (`podman system df` shows what "
            "Podman uses), then try again."
        )
    if "timed out after" in low or "the task timed out" in low:
        return _(
            "it did not finish within {seconds} s, so Podman may hang (`podman ps` should answer at once); "
            "look at the host, then try again (LABCTL_TASK_TIMEOUT sets the limit)."
        ).format(seconds=task_timeout())
    return ""


def first_failure(failures: list[Failure]) -> Failure:
    """The failure that explains a machine's (or a run's): a fail or assert task explains in words for the
    user (often rescuing an earlier error), so the last of those; else the first failure."""
    explicit = [f for f in failures if f.explicit]
    return explicit[-1] if explicit else failures[0]


def _failure_code(failure: Failure) -> ExitCode:
    if host_trouble(failure.message) or _sudo_refused(failure.message):
        return ExitCode.HOST_NOT_READY
    if failure.exit_code:
        return ExitCode(failure.exit_code)
    return ExitCode.HOST_NOT_READY if failure.role == "host" else ExitCode.FAILED


def _failure_reason(failure: Failure) -> str:
    known = host_trouble(failure.message)
    if known:
        return _("'{task}': {problem}").format(task=failure.task, problem=known)
    message = failure.message.removeprefix("Task failed: ").rstrip(".")
    if _sudo_refused(message):
        return sudo_refusal(message)
    if failure.explicit:
        return f"{message}."  # a fail or assert task's own words, written for the user
    return _("'{task}' failed: {message}.").format(task=failure.task, message=message)


def check_label(check: Check) -> str:
    return check.id or check.name


def machine(result: RunResult, host: str, action: str) -> Machine:
    """One machine's outcome. `action` "verify" grades by checks (no check run: failed); "check"
    (host check) makes a failed check a host that is not ready."""
    stats = result.stats.get(host)
    checks = [c for c in result.checks if c.host == host]
    base = {
        "changed": stats.changed if stats else 0,
        "passed": sum(c.status == "PASS" for c in checks),
        "failed": sum(c.failing for c in checks),
        "skipped": sum(c.status == "SKIP" for c in checks),
        "seconds": result.seconds.get(host, round(result.duration, 1)),
        "checks": checks,
        "student": result.students.get(host) or host,
        "store": str((result.reports.get(host) or {}).get("store") or ""),
    }
    dropped = [u for u in result.unreachable if u.host == host]
    if dropped:
        message = dropped[0].message.removeprefix("Task failed: ").rstrip(".")
        reason = _("cannot reach it: {message}.").format(message=message)
        return Machine(host, UNREACHABLE, ExitCode.UNREACHABLE, reason=reason, **base)
    failures = [f for f in result.failures if f.host == host]
    if failures:
        first = first_failure(failures)
        code = _failure_code(first)
        return Machine(host, RESULT_OF.get(code, FAILED), code, reason=_failure_reason(first), **base)
    failing = [c for c in checks if c.failing]
    if failing:
        code = ExitCode.HOST_NOT_READY if action == "check" else ExitCode.FAILED
        names = "; ".join(check_label(c) for c in failing[:3]) + ("; …" if len(failing) > 3 else "")
        reason = ngettext(
            "{n} check(s) did not pass: {names}.", "{n} check(s) did not pass: {names}.", len(failing)
        ).format(n=len(failing), names=names)
        return Machine(host, RESULT_OF[code], code, reason=reason, **base)
    if action == "verify" and not checks:
        return Machine(host, FAILED, ExitCode.FAILED, reason=_("no check ran on it."), **base)
    if action == "verify" and any(c.status == "NOT_ENFORCED" for c in checks):
        enforced = [check_label(c) for c in checks if c.status == "NOT_ENFORCED"]
        reason = _("this machine cannot enforce {checks}.").format(checks=", ".join(enforced))
        return Machine(host, NOT_ENFORCED, ExitCode.NOT_ENFORCED, reason=reason, **base)
    return Machine(host, OK, ExitCode.OK, **base)


def machines(result: RunResult, action: str) -> list[Machine]:
    hosts = list(dict.fromkeys([*result.hosts, *result.stats, *(u.host for u in result.unreachable)]))
    return [machine(result, host, action) for host in hosts]


def summary(found: list[Machine], what: str) -> str:
    counts: dict[str, int] = {}
    for m in found:
        counts[m.result] = counts.get(m.result, 0) + 1
    parts = [
        f"{counts[r]} {result_word(r)}" for r in (OK, FAILED, UNREACHABLE, NOT_READY, NOT_ENFORCED) if counts.get(r)
    ]
    slowest = max((m.seconds for m in found), default=0.0)
    return ngettext(
        "{what}: {n} machine(s): {counts} (slowest {seconds:.1f} s)",
        "{what}: {n} machine(s): {counts} (slowest {seconds:.1f} s)",
        len(found),
    ).format(what=what, n=len(found), counts=", ".join(parts), seconds=slowest)


def raise_for_failures(result: RunResult, what: str) -> None:
    """A run on one machine (or --json's first word on several) that failed: the one LabctlError the user
    sees, with the exit code machine() gives that machine. Unreachable first; then the failure that explains."""
    if result.unreachable:
        first = result.unreachable[0]
        raise LabctlError(
            _("Cannot reach {host}: {message}; check the inventory and SSH access.").format(
                host=first.host, message=first.message
            ),
            ExitCode.UNREACHABLE,
        )
    if not result.failures:
        return
    first = first_failure(result.failures)
    code = machine(result, first.host, "run").exit_code
    where = "" if first.host == "localhost" else _(" on {host}").format(host=first.host)
    log = f"run log: {result.artifacts}"
    known = host_trouble(first.message)
    if known:
        raise LabctlError(
            _("{what} failed at '{task}'{where}: {problem}").format(
                what=what, task=first.task, where=where, problem=known
            ),
            code,
            log,
        )
    message = first.message.removeprefix("Task failed: ").rstrip(".")
    if _sudo_refused(message):
        raise LabctlError(
            _("{what} failed{where}: {problem}").format(what=what, where=where, problem=sudo_refusal(message)),
            code,
            log,
        )
    others = {f.host for f in result.failures} - {first.host}
    more = (
        ngettext(" (failed on {n} more host)", " (failed on {n} more hosts)", len(others)).format(n=len(others))
        if others
        else ""
    )
    at = "" if first.explicit else _(" at '{task}'").format(task=first.task)
    raise LabctlError(
        _("{what} failed{where}{at}: {message}.{more}").format(
            what=what, where=where, at=at, message=first.message.rstrip("."), more=more
        ),
        code,
        detail=log,
    )


# --- a check in words -----------------------------------------------------------------------------------


def check_message(check: Check) -> str:
    """What a check found, in one line: for a failure, also what was expected and the hint."""
    if check.status in ("PASS", "INFO"):
        return check.found
    parts = [
        _("expected {expected}").format(expected=check.expected) if check.expected and check.status != "SKIP" else ""
    ]
    parts += [
        _("found {found}").format(found=check.found) if check.found else "",
        _("hint: {hint}").format(hint=check.hint) if check.hint else "",
    ]
    return "; ".join(p for p in parts if p)


def check_text(check: Check) -> str:
    """A check's words as shown: its name, and what check_message says of it."""
    message = check_message(check)
    return f"{check.name}: {message}" if message else check.name
