"""labctl watch: the class, re-graded every N seconds with --look-only, as a live matrix (and a page).

The loop is thin: each round is `verify --look-only` of each exercise through the usual pipeline, the
class view and what moved come from labctl.core.classview, the drawing from labctl.core.report and
labctl.core.export.
"""

import time
from typing import Annotated

import typer

from labctl.cli.options import Csv, CsvDialect, Html, Options, csv_dialect, shared
from labctl.cli.verify import class_view, show_class, write_class_files
from labctl.core import classview, pipeline, report, results, scenarios
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.i18n import _
from labctl.core.results import RunResult
from labctl.core.scenarios import Scenario

Scenarios = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="SCENARIO", help="The exercises to watch (default: every one of the course).", show_default=False
    ),
]


@shared("connect")
def watch(
    scenario_ids: Scenarios = None,
    every: Annotated[int, typer.Option("--every", min=5, metavar="SECONDS", help="Seconds between rounds.")] = 60,
    stuck_after: Annotated[
        int,
        typer.Option(
            "--stuck-after", min=1, metavar="MINUTES", help="Mark a student whose checks have not changed for so long."
        ),
    ] = 10,
    rounds: Annotated[
        int, typer.Option("--rounds", min=0, metavar="N", help="Stop after N rounds (default 0: until Ctrl-C).")
    ] = 0,
    html: Html = None,
    csv: Csv = None,
    dialect: CsvDialect = "excel",
    *,
    opts: Options,
) -> None:
    """Re-grade the class with --look-only every N seconds: a live matrix of students by exercises, what changed
    since the last round, who has not moved for a while. Ctrl-C ends it (exit 130)."""
    dialect = csv_dialect(dialect)
    chosen = [scenarios.load(s) for s in scenario_ids] if scenario_ids else scenarios.load_all(report.warn_all())
    tracker = classview.Tracker(stuck_after=stuck_after * 60)
    number, code = 0, ExitCode.OK
    try:
        while True:
            number += 1
            started = time.monotonic()
            graded = [grade(s, opts) for s in chosen]
            view = class_view(graded, tracker.hosts())
            marks = tracker.round(view, time.monotonic())
            if report.out.is_terminal:
                report.out.clear()
            when = view.graded_at.strftime("%H:%M:%S")
            report.out.print(
                f"[bold]{report.escape(_('Round {number}, graded at {time}').format(number=number, time=when))}[/]"
            )
            show_class(view, marks)
            write_class_files(view, csv, dialect, html, marks, refresh=every)
            code = results.worst(
                m.exit_code for _s, r, _w in graded if r is not None for m in results.machines(r, "verify")
            )
            if rounds and number >= rounds:
                break
            time.sleep(max(0.0, every - (time.monotonic() - started)))
    except KeyboardInterrupt:
        raise LabctlError(
            _("watch stopped after {number} round(s).").format(number=number), ExitCode.INTERRUPTED
        ) from None
    if code:
        raise Outcome(code)


def grade(scenario: Scenario, opts: Options) -> tuple[Scenario, RunResult | None, str]:
    """One exercise's verify --look-only on every machine; a run that fails as a whole is a reason, not an end
    (unless the user stopped it, or the input is wrong: then watch ends)."""
    try:
        result = pipeline.run(
            pipeline.scenario_request(scenario, "verify", opts, options={"lab_look_only": True}), opts
        )
    except LabctlError as exc:
        if exc.exit_code in (ExitCode.USAGE, ExitCode.INTERRUPTED, ExitCode.TERMINATED):
            raise
        report.err.print(f"[yellow]{report.escape(scenario.id)}:[/] {report.escape(exc.message)}")
        return scenario, None, exc.message
    return scenario, result, ""
