"""A run on several machines, per machine: outcome, exit code, the class matrix, its CSV, and the
record of the machines that failed (for --retry-failed). Pure logic over a RunResult."""

import csv
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import boundary

from labctl.core import i18n
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.paths import state_dir
from labctl.core.results import OK, Check, Machine, check_label, check_message

# --- the class matrix ----------------------------------------------------------------------------------


def matrix(found: list[Machine]) -> tuple[list[str], list[tuple[str, dict[str, Check]]]]:
    """Columns (check ids in the order they first appear) and rows (machine, its checks by id)."""
    columns: list[str] = []
    rows = []
    for m in found:
        by_id: dict[str, Check] = {}
        for check in m.checks:
            label = check_label(check)
            if label not in columns:
                columns.append(label)
            by_id[label] = check
        rows.append((m.host, by_id))
    return columns, rows


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
        rows += [[m.host, check_label(c), c.status, check_message(c)] for c in m.checks]
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
            _("labctl will not write {file}: {problem}; give {what} a path in a folder of your own.").format(
                file=target, problem=i18n.words(problem), what=what
            ),
            ExitCode.HOST_NOT_READY,
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise LabctlError(
            _("Cannot write {file} ({problem}); give {what} a path you can write.").format(
                file=target, problem=exc.strerror, what=what
            )
        ) from exc
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
    write_private(path, lambda out: out.write(json.dumps(data, indent=2)), what=_("the retry record"))


def to_retry(verb: str, scenario: str, inventory: str | None) -> list[str]:
    """The machines to run again; an empty list when the last run succeeded everywhere."""
    command = f"{verb} {scenario}".strip()
    if not inventory:
        raise LabctlError(
            _(
                "--retry-failed needs the inventory of the run to repeat: `labctl {command} -i INVENTORY "
                "--retry-failed`."
            ).format(command=command),
            ExitCode.USAGE,
        )
    path = _record_path(verb, scenario, inventory)
    try:
        data = json.loads(path.read_text())
        hosts = [str(h) for h in data["retry"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise LabctlError(
            _(
                "There is no record of a `labctl {command}` on {inventory} to retry; run it without --retry-failed "
                "first."
            ).format(command=command, inventory=inventory),
            ExitCode.USAGE,
        ) from None
    return hosts
