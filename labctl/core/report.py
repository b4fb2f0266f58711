"""Presenting results: progress while Ansible runs (stderr), results after (stdout, or JSON)."""

import contextlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape

__all__ = ["escape"]
from rich.table import Table

from labctl.core.runner import Check, ProgressCallback, RunResult

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

STYLE = {
    "PASS": "green",
    "FAIL": "bold red",
    "SKIP": "yellow",
    "NOT_ENFORCED": "magenta",
    "WARN": "yellow",
    "INFO": "cyan",
}
LABEL = {"NOT_ENFORCED": "NOT ENFORCED"}


@contextlib.contextmanager
def progress(title: str, debug: bool = False) -> Iterator[ProgressCallback]:
    """Show the task Ansible is on: a spinner on a terminal, plain lines with --debug."""
    if debug:
        yield lambda host, task: err.print(f"[dim]{escape(host)}: {escape(task)}[/]")
        return
    if not err.is_terminal:
        yield lambda host, task: None
        return
    with err.status(escape(title)) as status:
        yield lambda host, task: status.update(f"{escape(title)}: [dim]{escape(task)}[/]")


class _Warnings(list):
    """A list whose items are printed on stderr as warnings as they are appended."""

    def append(self, message: str) -> None:
        super().append(message)
        err.print(f"[yellow]warning:[/] {escape(message)} It is left out.")


def warn_all() -> list[str]:
    return _Warnings()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def print_checks(checks: list[Check], show_host: bool) -> None:
    for check in checks:
        status = LABEL.get(check.status, check.status)
        host = f"[dim]{escape(check.host)}[/] " if show_host else ""
        line = f"[{STYLE.get(check.status, '')}]{status:<12}[/] {host}{escape(check.name)}"
        if check.acts and check.status != "SKIP":
            line += f" [dim](acts: {escape(check.acts)})[/]"
        if check.status in ("INFO", "PASS") and check.found:
            line += f" [dim]— {escape(check.found)}[/]"
        out.print(line)
        if check.status in ("FAIL", "WARN", "NOT_ENFORCED", "SKIP"):
            if check.expected and check.status != "SKIP":
                out.print(f"{'':13}expected: {escape(check.expected)}")
            if check.found:
                out.print(f"{'':13}{'reason:  ' if check.status == 'SKIP' else 'found:   '} {escape(check.found)}")
            if check.hint:
                out.print(f"{'':13}hint:     {escape(check.hint)}")


def checks_summary(checks: list[Check]) -> str:
    counts = Counter(c.status for c in checks)
    words = [
        ("PASS", "passed"),
        ("FAIL", "failed"),
        ("SKIP", "skipped"),
        ("NOT_ENFORCED", "not enforced"),
        ("WARN", "warnings"),
    ]
    return ", ".join(f"{counts[k]} {w}" for k, w in words if counts.get(k))


def stats_table(result: RunResult) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for column in ("host", "ok", "changed", "failed", "unreachable"):
        table.add_column(column, justify="left" if column == "host" else "right")
    for host, stats in sorted(result.stats.items()):
        table.add_row(host, str(stats.ok), str(stats.changed), str(stats.failed), str(stats.unreachable))
    return table


def result_json(result: RunResult, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "ok": result.ok,
        "duration_s": round(result.duration, 2),
        "changed": result.changed,
        "hosts": {h: asdict(s) for h, s in result.stats.items()},
        "targets": result.hosts,
        "changed_tasks": [{"host": h, "task": t} for h, t in result.changed_tasks],
        "checks": [asdict(c) for c in result.checks],
        "failures": [asdict(f) for f in result.failures],
        "reports": result.reports,
        "artifacts": str(result.artifacts),
    }
