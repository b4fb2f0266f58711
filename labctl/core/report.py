"""Presenting results: progress while Ansible runs (stderr), results after (stdout, or JSON)."""

import contextlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.live import Live
from rich.markup import escape as _markup_escape
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from labctl.core.events import ProgressCallback
from labctl.core.i18n import N_, _
from labctl.core.results import MARK, Check, Machine, RunResult

__all__ = ["clean", "escape"]

# Control characters (C0 but tab and newline, DEL, C1) and the marks that reorder text on screen: a lab
# (a page, a name, a message, all of them a student's to choose) must not move the trainer's cursor,
# repaint the class matrix, set the window title or write the clipboard (OSC 52).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Text a lab returned, safe for a terminal: its control characters removed."""
    return _CONTROL.sub("", str(text))


def escape(text: object) -> str:
    """Text a lab returned, for rich markup: control characters removed, markup escaped."""
    return _markup_escape(clean(text))


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


class _Progress:
    """What Ansible is doing: one spinner line (the current task) for one machine; with several, one
    live line per machine (its current task, or done/failed/unreachable and its seconds)."""

    def __init__(self, title: str, debug: bool = False):
        self.title = title
        self.debug = debug
        self.task = ""
        self.spinner = Spinner("dots")
        self.machines: dict[str, dict[str, Any]] = {}

    def __call__(self, host: str, task: str) -> None:
        self.task = task
        if self.debug:
            err.print(f"[dim]{escape(host) + ': ' if host else ''}{escape(task)}[/]")

    def begin(self) -> None:
        """A new Ansible run (say, up's after the controller's images): the last run's lines go."""
        self.machines.clear()

    def host(self, host: str, state: str, detail: str) -> None:
        now = time.monotonic()
        line = self.machines.setdefault(host, {"state": "task", "detail": "", "start": now, "end": None})
        if line["end"] is not None:
            return  # failed or unreachable already: stays so
        line["state"], line["detail"] = state, detail
        if state != "task":
            line["end"] = now
        if self.debug and state != "task":
            err.print(f"[dim]{escape(host)}: {state}{' — ' + escape(detail) if detail else ''}[/]")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if len(self.machines) <= 1:
            self.spinner.update(text=Text.from_markup(f"{escape(self.title)}: [dim]{escape(self.task)}[/]"))
            yield self.spinner
            return
        yield Text(self.title, style="bold")
        width = max(len(h) for h in self.machines)
        now = time.monotonic()
        for host, line in self.machines.items():
            seconds = f"{(line['end'] or now) - line['start']:5.1f} s"
            if line["state"] == "task":
                mark: RenderableType = line.setdefault("spinner", Spinner("dots"))
                text = Text(clean(line["detail"]), style="dim")
            else:
                mark = Text.from_markup({"done": "[green]✓[/]", "failed": "[red]✗[/]"}.get(line["state"], "[red]?[/]"))
                text = Text(line["state"], style="" if line["state"] == "done" else "red")
                if line["detail"]:
                    text.append(" " + clean(line["detail"]), style="dim")
            # One line per machine, never wrapped: a long task name or reason ends in …
            text.no_wrap, text.overflow = True, "ellipsis"
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=1)
            grid.add_column(width=width, no_wrap=True)
            grid.add_column(width=7, justify="right", no_wrap=True)
            grid.add_column(width=max(10, options.max_width - width - 11), no_wrap=True, overflow="ellipsis")
            grid.add_row(mark, Text(clean(host)), seconds, text)
            yield grid


@contextlib.contextmanager
def progress(title: str, debug: bool = False) -> Iterator[ProgressCallback]:
    """Show the task Ansible is on: a spinner (one live line per machine when there are several) on a
    terminal, plain lines with --debug, nothing otherwise."""
    shown = _Progress(title, debug)
    if debug or not err.is_terminal:
        yield shown
        return
    with Live(shown, console=err, refresh_per_second=8, transient=True):
        yield shown


class _Warnings(list):
    """A list whose items are printed on stderr as warnings as they are appended."""

    def append(self, message: str) -> None:
        super().append(message)
        err.print(f"[yellow]warning:[/] {escape(message)} It is left out.")


def warn_all() -> list[str]:
    return _Warnings()


_json_list: list[Any] | None = None  # --all: one JSON list of every scenario's result


def print_json(data: Any) -> None:
    if _json_list is not None:
        _json_list.append(data)
        return
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@contextlib.contextmanager
def json_list(active: bool) -> Iterator[None]:
    """While active, print_json collects; at the end, all of it is printed as one list."""
    global _json_list
    if not active:
        yield
        return
    _json_list = []
    try:
        yield
    finally:
        collected, _json_list = _json_list, None
        print_json(collected)


RESULT_STYLE = {"ok": "green", "failed": "bold red", "unreachable": "bold red", "not ready": "red"}


def machines_table(found: list[Machine], checks: bool) -> Table:
    """A line per machine: result, changed, checks passed/failed/skipped, seconds, the reason of a failure."""
    table = Table(box=None, pad_edge=False, header_style="dim")
    columns = [
        "machine",
        "result",
        "changed",
        *(["passed", "failed", "skipped"] if checks else []),
        "seconds",
        "reason",
    ]
    for column in columns:
        table.add_column(
            column, justify="right" if column in ("changed", "passed", "failed", "skipped", "seconds") else "left"
        )
    for m in found:
        counts = [str(m.passed), str(m.failed), str(m.skipped)] if checks else []
        style = RESULT_STYLE.get(m.result, "magenta")
        table.add_row(
            escape(m.host), f"[{style}]{m.result}[/]", str(m.changed), *counts, f"{m.seconds:.1f}", escape(m.reason)
        )
    return table


def class_matrix(columns: list[str], rows: list[tuple[str, dict[str, Check]]]) -> Table:
    """Machines as rows, checks as columns: ✓ pass, ✗ fail, a dash skipped, ? not enforced or not known."""
    table = Table(box=None, pad_edge=False, header_style="dim")
    table.add_column("machine")
    wide = max((len(host) for host, _ in rows), default=7) + sum(len(c) + 2 for c in columns)
    numbered = wide > out.width  # too wide for the terminal: numbered columns, and a key under the table
    for number, column in enumerate(columns, 1):
        table.add_column(str(number) if numbered else escape(column), justify="center")
    if numbered:
        key = "  ".join(f"{n} {escape(c)}" for n, c in enumerate(columns, 1))
        table.caption, table.caption_justify, table.caption_style = key, "left", "dim"
    for host, by_id in rows:
        cells = []
        for column in columns:
            check = by_id.get(column)
            if check is None:
                cells.append("[dim]?[/]")
                continue
            style = "bold red" if check.failing else STYLE.get(check.status, "")
            cells.append(f"[{style}]{MARK.get(check.status, '?')}[/]")
        table.add_row(escape(host), *cells)
    return table


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
            labels = {"expected": _("expected:"), "found": _("found:"), "reason": _("reason:"), "hint": _("hint:")}
            width = max(len(w) for w in labels.values()) + 1
            if check.expected and check.status != "SKIP":
                out.print(f"{'':13}{labels['expected']:<{width}}{escape(check.expected)}")
            if check.found:
                found = labels["reason"] if check.status == "SKIP" else labels["found"]
                out.print(f"{'':13}{found:<{width}}{escape(check.found)}")
            if check.hint:
                out.print(f"{'':13}{labels['hint']:<{width}}{escape(check.hint)}")


def checks_summary(checks: list[Check]) -> str:
    counts = Counter(c.status for c in checks)
    words = [
        ("PASS", N_("passed")),
        ("FAIL", N_("failed")),
        ("SKIP", N_("skipped")),
        ("NOT_ENFORCED", N_("not enforced")),
        ("WARN", N_("warnings")),
    ]
    return ", ".join(f"{counts[k]} {_(w)}" for k, w in words if counts.get(k))


def stats_table(result: RunResult) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for column in ("host", "ok", "changed", "failed", "unreachable"):
        table.add_column(column, justify="left" if column == "host" else "right")
    for host, stats in sorted(result.stats.items()):
        table.add_row(escape(host), str(stats.ok), str(stats.changed), str(stats.failed), str(stats.unreachable))
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
        "unreachable": [asdict(f) for f in result.unreachable],
        "seconds": result.seconds,
        "reports": result.reports,
        "artifacts": str(result.artifacts),
    }


# --- the trainer's view of the class (labctl.core.classview) -------------------------------------------------

CELL_STYLE = {
    "done": "bold green",
    "partial": "yellow",
    "none": "red",
    "not-enforced": "magenta",
    "unreachable": "dim",
    "not-ready": "dim red",
    "unknown": "dim",
}
MOVED_MARK = {"better": "▲", "worse": "▼", "changed": "•"}


def class_view_table(view: Any, marks: Any = None) -> Table:
    """Students as rows, exercises as columns, passed/total per cell in its state's colour; with watch's
    marks, ▲ ▼ • for a cell that moved since the last round and how long a stuck student has not moved."""
    table = Table(box=None, pad_edge=False, header_style="dim")
    table.add_column(_("student"))
    for exercise in view.exercises:
        table.add_column(escape(exercise.id), justify="center")
    moved = marks.moved if marks else {}
    stuck = marks.stuck if marks else {}
    for student in view.students:
        name = escape(student.name) + (f" [dim]({escape(student.host)})[/]" if student.name != student.host else "")
        if student.host in stuck:
            minutes = int(stuck[student.host] // 60)
            name += " [bold yellow]" + escape(_("no change for {minutes} min").format(minutes=minutes)) + "[/]"
        cells = []
        for exercise in view.exercises:
            cell = view.cell(student.host, exercise.id)
            mark = MOVED_MARK.get(moved.get((student.host, exercise.id), ""), " ")
            cells.append(f"[{CELL_STYLE.get(cell.state, '')}]{escape(cell.label)}[/]{mark}")
        table.add_row(name, *cells)
    return table


def class_view_legend(watching: bool = False) -> str:
    """The legend under the class matrix, in the language shown."""
    from labctl.core.classview import STATE_WORDS, STATES

    words = [f"[{CELL_STYLE[s]}]■[/] {escape(_(STATE_WORDS[s]))}" for s in STATES]
    if watching:
        words += [
            f"▲ {escape(_('better since the last round'))}",
            f"▼ {escape(_('worse since the last round'))}",
            f"• {escape(_('changed since the last round'))}",
        ]
    return "[dim]" + "  ".join(words) + "[/]"
