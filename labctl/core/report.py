"""The one renderer: progress while Ansible runs (stderr), results after (stdout: tables, the room's view,
the class matrix, or JSON), all from the result model (labctl.core.results). With --quiet: the results
alone, no progress and no summary or hint lines; errors still show."""

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

from labctl.core import results
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.events import ProgressCallback
from labctl.core.i18n import N_, _, ngettext
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
_quiet = False


def configure(*, quiet: bool = False) -> None:
    """The shared options' part in what is shown (labctl.cli.options.shared)."""
    global _quiet
    _quiet = quiet


def quiet() -> bool:
    return _quiet


def note(text: str, *, stdout: bool = False) -> None:
    """A line beside the results (a summary, a hint, where a file went): not with --quiet."""
    if not _quiet:
        (out if stdout else err).print(text)


STYLE = {
    "PASS": "green",
    "FAIL": "bold red",
    "SKIP": "yellow",
    "NOT_ENFORCED": "magenta",
    "WARN": "yellow",
    "INFO": "cyan",
}
LABEL = {"NOT_ENFORCED": "NOT ENFORCED"}
# A machine's line in the progress of a run on several: its state in words (its task's name is Ansible's).
PROGRESS_WORDS = {"done": N_("done"), "failed": N_("failed"), "unreachable": N_("unreachable")}
# The kinds of resources an exercise has, in words (a clean's plan names them in the plural: networks, pods, …).
KIND_WORDS = {
    "network": N_("network"),
    "pod": N_("pod"),
    "container": N_("container"),
    "volume": N_("volume"),
    "secret": N_("secret"),
    "image": N_("image"),
}


def kind_word(kind: str) -> str:
    """A kind of resource (network, pod, …, or its plural) in the language shown."""
    one = kind if kind in KIND_WORDS else kind[:-1]
    return _(KIND_WORDS[one]) if one in KIND_WORDS else one


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
                state = PROGRESS_WORDS.get(line["state"])
                text = Text(_(state) if state else line["state"], style="" if line["state"] == "done" else "red")
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
    shown = _Progress(title, debug and not _quiet)
    if debug or _quiet or not err.is_terminal:
        yield shown
        return
    with Live(shown, console=err, refresh_per_second=8, transient=True):
        yield shown


class _Warnings(list):
    """A list whose items are printed on stderr as warnings as they are appended."""

    def append(self, message: str) -> None:
        super().append(message)
        err.print(f"[yellow]{_('warning:')}[/] {escape(_('{message} It is left out.').format(message=message))}")


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
    stores = any(m.store for m in found)  # whose store each machine's run worked on, when they said
    columns = [
        N_("machine"),
        *([N_("store")] if stores else []),
        N_("result"),
        N_("changed"),
        *([N_("passed"), N_("failed"), N_("skipped")] if checks else []),
        N_("seconds"),
        N_("reason"),
    ]
    for column in columns:
        table.add_column(
            _(column), justify="right" if column in ("changed", "passed", "failed", "skipped", "seconds") else "left"
        )
    for m in found:
        counts = [str(m.passed), str(m.failed), str(m.skipped)] if checks else []
        style = RESULT_STYLE.get(m.result, "magenta")
        table.add_row(
            escape(m.host),
            *([escape(m.store)] if stores else []),
            f"[{style}]{escape(results.result_word(m.result))}[/]",
            str(m.changed),
            *counts,
            f"{m.seconds:.1f}",
            escape(m.reason),
        )
    return table


def class_matrix(columns: list[str], rows: list[tuple[str, dict[str, Check]]]) -> Table:
    """Machines as rows, checks as columns: ✓ pass, ✗ fail, a dash skipped, ? not enforced or not known."""
    table = Table(box=None, pad_edge=False, header_style="dim")
    table.add_column(_("machine"))
    wide = max((len(host) for host, _by_id in rows), default=7) + sum(len(c) + 2 for c in columns)
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
            line += f" [dim]({escape(_('acts: {acts}').format(acts=check.acts))})[/]"
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
    for column in (N_("host"), N_("ok"), N_("changed"), N_("failed"), N_("unreachable")):
        table.add_column(_(column), justify="left" if column == "host" else "right")
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


# --- a run's outcome: the room's view, or one machine's lines, or JSON ------------------------------------------


def all_summary(verb: str, codes: dict[str, int]) -> None:
    """--all: one line, each scenario ok or its exit code."""
    words = [
        f"{sid} [green]{_('ok')}[/]" if not code else f"{sid} [red]{_('exit {code}').format(code=int(code))}[/]"
        for sid, code in codes.items()
    ]
    note(f"[bold]{verb} --all:[/] {', '.join(words)}", stdout=True)


def room_view(what: str, verb: str, result: RunResult, *, json_out: bool, csv: str | None = None, **extra: Any) -> None:
    """A run on several machines (or --json, --csv): a table per machine, the class matrix for checks,
    one summary line; the exit code of the first that applies of 4, 3, 1, 5 (results.worst)."""
    from labctl.core import room

    found = results.machines(result, verb)
    code = results.worst(m.exit_code for m in found)
    if csv:
        written = room.write_csv(csv, found)
        note(f"[dim]{escape(_('class matrix written to {path}').format(path=written))}[/]")
    if json_out:
        machines = {m.host: m.as_json() for m in found}
        print_json(result_json(result, **extra, machines=machines, exit_code=int(code)))
    else:
        checks = verb in ("verify", "check")
        if checks and any(m.checks for m in found):
            out.print(class_matrix(*room.matrix(found)))
            legend = _("{passed} pass  {failed} fail  {skipped} skipped  ? not enforced or not known").format(
                passed=MARK["PASS"], failed=MARK["FAIL"], skipped=MARK["SKIP"]
            )
            note(f"[dim]{escape(legend)}[/]", stdout=True)
        out.print(machines_table(found, checks=checks))
        note(results.summary(found, what), stdout=True)
    if code:
        raise Outcome(code)


def item_words(item: str) -> str:
    """A resource as a clean's plan names it ("container web"), in the language shown."""
    kind, _sep, name = item.partition(" ")
    return f"{kind_word(kind)} {name}" if name else item


def clean_report(scenario: Any, host: str, clean: dict[str, Any], where: str) -> None:
    """What clean removed (or would, in a dry run), marking what labctl did not make, and what it kept."""
    foreign = set(clean.get("not_made_by_labctl") or [])  # "container web": the plan's words, in English
    plan = [(f"{kind[:-1]} {name}", kind, name) for kind, names in (clean.get("plan") or {}).items() for name in names]
    marked = [
        _("{item} (not made by labctl)").format(item=f"{kind_word(kind)} {name}")
        if item in foreign
        else f"{kind_word(kind)} {name}"
        for item, kind, name in plan
    ]
    if clean.get("dry_run"):
        what = ", ".join(marked) or _("nothing")
        line = _("dry run: clean of {scenario}{where} would remove {what}").format(
            scenario=scenario.id, where=where, what=what
        )
        out.print(escape(line))
    elif foreign:
        what = ", ".join(item_words(item) for item in sorted(foreign))
        out.print("  " + escape(_("removed though labctl did not make them: {what}").format(what=what)))
    for kept in clean.get("kept") or []:
        line = _("kept {kind} {name}: {reason}").format(
            kind=kind_word(kept["kind"]), name=kept["name"], reason=kept["reason"]
        )
        out.print("  " + escape(line))


DONE = {"up": N_("is up"), "reset": N_("was reset"), "clean": N_("is cleaned up"), "prepare": N_("is prepared")}


def provisioned(scenario: Any, action: str, result: RunResult, *, json_out: bool, several: bool) -> None:
    """An up/reset/clean/prepare: a line per host (what changed), or the room's view, or JSON; raise on failure."""
    if json_out or several:
        if not json_out:
            for host in sorted(result.stats):
                clean = result.reports.get(host, {}).get("clean") or {}
                if clean.get("dry_run") or clean.get("kept") or clean.get("not_made_by_labctl"):
                    clean_report(scenario, host, clean, _(" on {host}").format(host=host))
        room_view(f"{action} {scenario.id}", action, result, json_out=json_out, scenario=scenario.id, action=action)
        return
    results.raise_for_failures(result, f"{action} {scenario.id}")
    # What a role wants the user to know (say, that this host does not enforce pod limits).
    print_checks([c for c in result.checks if c.status in ("WARN", "NOT_ENFORCED")], show_host=len(result.stats) > 1)
    for host in sorted(result.stats):
        clean = result.reports.get(host, {}).get("clean") or {}
        if clean.get("dry_run"):
            clean_report(scenario, host, clean, _(" on {host}").format(host=host) if host != "localhost" else "")
            continue
        in_place = result.reports.get(host, {}).get("in_place")
        changed = [t for h, t in result.changed_tasks if h == host]
        # Tasks under no_log (they carry passwords) report no details, only to the stats.
        hidden = result.stats[host].changed - len(changed)
        where = _(" on {host}").format(host=host) if len(result.stats) > 1 or host != "localhost" else ""
        whose = result.reports.get(host, {}).get("store")  # whose store the run worked on (the machine's words)
        where += f" ({whose})" if whose else ""
        words = {"scenario": scenario.id, "done": _(DONE[action]), "where": where, "seconds": result.duration}
        if in_place:
            line = _("{scenario} {done}{where}: 0 changed — everything was already in place ({seconds:.1f} s)")
            out.print(escape(line.format(**words)))
        elif not result.stats[host].changed:
            line = _("{scenario} {done}{where}: 0 changed, nothing recreated ({seconds:.1f} s)")
            out.print(escape(line.format(**words)))
        else:
            count = result.stats[host].changed
            line = ngettext(
                "{scenario} {done}{where}: {n} changed ({seconds:.1f} s)",
                "{scenario} {done}{where}: {n} changed ({seconds:.1f} s)",
                count,
            )
            out.print(escape(line.format(n=count, **words)))
            for task in changed:
                out.print(f"  [yellow]{_('changed')}[/] {escape(task)}")
            if hidden > 0:
                hidden_line = ngettext(
                    "{n} task(s) whose details are hidden (secrets)",
                    "{n} task(s) whose details are hidden (secrets)",
                    hidden,
                ).format(n=hidden)
                out.print(f"  [yellow]{_('changed')}[/] {escape(hidden_line)}")
        if clean:
            clean_report(scenario, host, clean, where)


def graded(scenario: Any, result: RunResult) -> None:
    """A verify on one machine: its checks, one line of counts and the verdict; raise its exit code."""
    results.raise_for_failures(result, f"verify {scenario.id}")
    if not result.checks:
        raise LabctlError(
            _("verify {scenario} ran no checks; its role has no verify tasks.").format(scenario=scenario.id)
        )
    print_checks(result.checks, show_host=False)
    outcome = results.worst(m.exit_code for m in results.machines(result, "verify"))
    words = {
        ExitCode.OK: f"[green]{_('the lab is right')}[/]",
        ExitCode.FAILED: f"[bold red]{_('not all checks passed')}[/]",
        ExitCode.NOT_ENFORCED: "[magenta]"
        + _("nothing failed, but not everything can be enforced on this host")
        + "[/]",
    }
    note(f"{scenario.id}: {checks_summary(result.checks)} — {words.get(outcome, '')}", stdout=True)
    if outcome != ExitCode.OK:
        raise Outcome(outcome)
