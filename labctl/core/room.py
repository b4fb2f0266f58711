"""A run on several machines, per machine: outcome, exit code, the class matrix, its CSV, and the
record of the machines that failed (for --retry-failed). Pure logic over a RunResult."""

import csv
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import boundary

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.paths import state_dir
from labctl.core.results import Check, Failure, RunResult

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

    def as_json(self) -> dict[str, Any]:
        """Stable English keys and check ids; `text` is each check's words as shown (in the language of the run)."""
        return {**asdict(self), "checks": [{**asdict(c), "text": check_text(c)} for c in self.checks]}


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


def _failure_code(failure: Failure) -> ExitCode:
    from labctl.core.actions import _host_trouble  # the sentence for a full disk or a hung Podman

    if _host_trouble(failure.message) or _sudo_refused(failure.message):
        return ExitCode.HOST_NOT_READY
    if failure.exit_code:
        return ExitCode(failure.exit_code)
    return ExitCode.HOST_NOT_READY if failure.role == "host" else ExitCode.FAILED


def _failure_reason(failure: Failure) -> str:
    from labctl.core.actions import _host_trouble

    known = _host_trouble(failure.message)
    if known:
        return f"'{failure.task}': {known}"
    message = failure.message.removeprefix("Task failed: ").rstrip(".")
    if _sudo_refused(message):
        return (
            f"sudo refused to make the user root ({message}): give -K/--ask-become-pass for the password, "
            "or allow the user sudo without one."
        )
    return f"{message}." if failure.explicit else f"'{failure.task}' failed: {message}."


def _check_label(check: Check) -> str:
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
    }
    dropped = [u for u in result.unreachable if u.host == host]
    if dropped:
        message = dropped[0].message.removeprefix("Task failed: ").rstrip(".")
        return Machine(host, UNREACHABLE, ExitCode.UNREACHABLE, reason=f"cannot reach it: {message}.", **base)
    failures = [f for f in result.failures if f.host == host]
    if failures:
        explicit = [f for f in failures if f.explicit]
        first = explicit[-1] if explicit else failures[0]
        code = _failure_code(first)
        return Machine(host, RESULT_OF.get(code, FAILED), code, reason=_failure_reason(first), **base)
    failing = [c for c in checks if c.failing]
    if failing:
        code = ExitCode.HOST_NOT_READY if action == "check" else ExitCode.FAILED
        names = "; ".join(_check_label(c) for c in failing[:3]) + ("; …" if len(failing) > 3 else "")
        return Machine(host, RESULT_OF[code], code, reason=f"{len(failing)} check(s) did not pass: {names}.", **base)
    if action == "verify" and not checks:
        return Machine(host, FAILED, ExitCode.FAILED, reason="no check ran on it.", **base)
    if action == "verify" and any(c.status == "NOT_ENFORCED" for c in checks):
        enforced = [_check_label(c) for c in checks if c.status == "NOT_ENFORCED"]
        reason = f"this machine cannot enforce {', '.join(enforced)}."
        return Machine(host, NOT_ENFORCED, ExitCode.NOT_ENFORCED, reason=reason, **base)
    return Machine(host, OK, ExitCode.OK, **base)


def machines(result: RunResult, action: str) -> list[Machine]:
    hosts = list(dict.fromkeys([*result.hosts, *result.stats, *(u.host for u in result.unreachable)]))
    return [machine(result, host, action) for host in hosts]


def summary(found: list[Machine], what: str) -> str:
    counts: dict[str, int] = {}
    for m in found:
        counts[m.result] = counts.get(m.result, 0) + 1
    parts = [f"{counts[r]} {r}" for r in (OK, FAILED, UNREACHABLE, NOT_READY, NOT_ENFORCED) if counts.get(r)]
    slowest = max((m.seconds for m in found), default=0.0)
    return f"{what}: {len(found)} machine(s): {', '.join(parts)} (slowest {slowest:.1f} s)"


# --- the class matrix ----------------------------------------------------------------------------------


def matrix(found: list[Machine]) -> tuple[list[str], list[tuple[str, dict[str, Check]]]]:
    """Columns (check ids in the order they first appear) and rows (machine, its checks by id)."""
    columns: list[str] = []
    rows = []
    for m in found:
        by_id: dict[str, Check] = {}
        for check in m.checks:
            label = _check_label(check)
            if label not in columns:
                columns.append(label)
            by_id[label] = check
        rows.append((m.host, by_id))
    return columns, rows


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


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would take for the start of a formula


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: control characters removed, a would-be formula quoted."""
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n"))
    return "'" + text if text.startswith(FORMULA) else text


def csv_rows(found: list[Machine]) -> list[list[str]]:
    rows = [["machine", "check", "status", "message"]]
    for m in found:
        if not m.checks and m.result != OK:
            rows.append([m.host, "", m.result.upper().replace(" ", "_"), m.reason])
        rows += [[m.host, _check_label(c), c.status, check_message(c)] for c in m.checks]
    return [[csv_cell(cell) for cell in row] for row in rows]


def write_csv(path: str | Path, found: list[Machine]) -> Path:
    """The class matrix as CSV, written atomically; never through a folder another account may change."""
    target = Path(path).expanduser().absolute()
    write_private(target, lambda out: csv.writer(out).writerows(csv_rows(found)), what="--csv", mode=0o644)
    return target


def write_private(target: Path, write: Any, *, what: str, mode: int = 0o600) -> None:
    """Write a file as a new file beside it, then rename (a link already there is replaced, not followed),
    in a folder only this account (and root) may change: else one sentence and exit 3."""
    problem = boundary.path_problem(str(target.parent), os.geteuid())
    if problem:
        raise LabctlError(
            f"labctl will not write {target}: {problem}; give {what} a path in a folder of your own.",
            ExitCode.HOST_NOT_READY,
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise LabctlError(f"Cannot write {target} ({exc.strerror}); give {what} a path you can write.") from exc
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- --retry-failed ------------------------------------------------------------------------------------


def _record_path(verb: str, scenario: str, inventory: str) -> Path:
    where = str(Path(inventory).expanduser().absolute())
    key = hashlib.sha256(where.encode()).hexdigest()[:16]
    return state_dir() / "retry" / f"{verb}-{scenario or 'host'}-{key}.json"


def record(verb: str, scenario: str, inventory: str, found: list[Machine]) -> None:
    """After every run on an inventory: the machines that failed or could not be reached."""
    path = _record_path(verb, scenario, inventory)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {
        "verb": verb,
        "scenario": scenario,
        "inventory": str(Path(inventory).expanduser().absolute()),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "retry": [m.host for m in found if m.exit_code not in (ExitCode.OK, ExitCode.NOT_ENFORCED)],
    }
    write_private(path, lambda out: out.write(json.dumps(data, indent=2)), what="the retry record")


def to_retry(verb: str, scenario: str, inventory: str | None) -> list[str]:
    """The machines to run again; an empty list when the last run succeeded everywhere."""
    command = f"{verb} {scenario}".strip()
    if not inventory:
        raise LabctlError(
            f"--retry-failed needs the inventory of the run to repeat: `labctl {command} -i INVENTORY --retry-failed`.",
            ExitCode.USAGE,
        )
    path = _record_path(verb, scenario, inventory)
    try:
        data = json.loads(path.read_text())
        hosts = [str(h) for h in data["retry"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise LabctlError(
            f"There is no record of a `labctl {command}` on {inventory} to retry; run it without --retry-failed first.",
            ExitCode.USAGE,
        ) from None
    return hosts
