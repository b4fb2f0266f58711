"""labctl verify: every check of the exercise, PASS/FAIL each, with a hint on failure."""

from typing import Annotated

import typer

from labctl.cli.options import (
    RUN,
    All,
    Csv,
    CsvDialect,
    Html,
    Options,
    ScenarioOrAll,
    csv_dialect,
    shared,
)
from labctl.core import classview, export, i18n, pipeline, report, results
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.results import RunResult
from labctl.core.scenarios import Scenario


@shared(*RUN)
def verify(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    look_only: Annotated[
        bool,
        typer.Option(
            "--look-only",
            help="Skip the checks that act on the lab to know (a row and a pod restart, an allocation, a signal).",
        ),
    ] = False,
    csv: Csv = None,
    dialect: CsvDialect = "excel",
    html: Html = None,
    *,
    opts: Options,
) -> None:
    """Check the exercise as the course describes it; exit 0 only when every check passes.

    With --all on an inventory (or with --csv/--html): the class view, students by exercises."""
    dialect = csv_dialect(dialect)
    classwide = every and (opts.connection.inventory is not None or bool(csv) or bool(html))
    graded: list[tuple[Scenario, RunResult | None, str]] = []  # --all: each exercise's run, or why it has none

    def one(scenario: Scenario) -> None:
        if classwide:
            graded.append((scenario, None, i18n._("its run did not finish")))
        try:
            result = pipeline.run(
                pipeline.scenario_request(scenario, "verify", opts, options={"lab_look_only": look_only}), opts
            )
        except LabctlError as exc:
            if classwide:
                graded[-1] = (scenario, None, exc.message)
            raise
        if classwide:
            graded[-1] = (scenario, result, "")
            if not opts.json:
                report.note(results.summary(results.machines(result, "verify"), f"verify {scenario.id}"), stdout=True)
                code = verdict(result)
                if code:
                    raise Outcome(code)
                return
        if opts.json or pipeline.several(result):
            if csv or html:
                write_class_files(class_view([(scenario, result, "")]), csv, dialect, html)
            passed = verdict(result) == ExitCode.OK
            report.room_view(
                f"verify {scenario.id}",
                "verify",
                result,
                json_out=opts.json,
                scenario=scenario.id,
                action="verify",
                passed=passed,
            )
            return
        if csv or html:
            results.raise_for_failures(result, f"verify {scenario.id}")
            if result.checks:
                write_class_files(class_view([(scenario, result, "")]), csv, dialect, html)
        report.graded(scenario, result)

    if not classwide:
        pipeline.each(scenario_id, every, "verify", one, opts)
        return
    try:
        pipeline.each(scenario_id, every, "verify", one, opts)
    finally:
        if graded:
            view = class_view(graded)
            write_class_files(view, csv, dialect, html)
            if not opts.json:
                show_class(view)


def class_view(
    graded: list[tuple[Scenario, RunResult | None, str]], hosts: list[str] | None = None
) -> classview.ClassView:
    """The class from each exercise's run (a run that did not finish: its cells say why)."""
    import datetime

    students: dict[str, str] = {}
    for _scenario, result, _why in graded:
        if result is not None:
            students.update(result.students)
    return classview.build(
        [classview.Exercise(s.id, classview.exercise_title(s.id, s.course_ref)) for s, _r, _w in graded],
        [(s.id, results.machines(r, "verify")) for s, r, _w in graded if r is not None],
        students=students,
        graded_at=datetime.datetime.now().astimezone(),
        lang=i18n.current(),
        not_graded={s.id: why for s, r, why in graded if r is None},
        hosts=hosts or (),
    )


def show_class(view: classview.ClassView, marks: classview.Round | None = None) -> None:
    """The class matrix on stdout, its legend, and how to see one exercise's checks."""
    report.out.print(report.class_view_table(view, marks))
    report.out.print(report.class_view_legend(watching=marks is not None))
    report.note(
        "[dim]"
        + report.escape(
            i18n._("One exercise's checks per machine: labctl verify {exercise} -i INVENTORY").format(
                exercise=view.exercises[0].id if view.exercises else "ex1"
            )
        )
        + "[/]",
        stdout=True,
    )


def write_class_files(
    view: classview.ClassView,
    csv: str | None,
    dialect: str,
    html: str | None,
    marks: classview.Round | None = None,
    refresh: int | None = None,
) -> None:
    """--csv and --html, each written atomically in a folder of this account's own."""
    if csv:
        written = export.write_csv(csv, view, dialect)
        report.note(f"[dim]{report.escape(i18n._('grades written to {path}').format(path=written))}[/]")
    if html:
        written = export.write_html(html, view, marks, refresh=refresh)
        report.note(f"[dim]{report.escape(i18n._('class view written to {path}').format(path=written))}[/]")


def verdict(result: RunResult) -> ExitCode:
    """The exit code of a verify: per machine (see labctl.core.room), the first that applies of 4 a
    machine unreachable, 3 not ready, 1 a check failed (or a SKIP whose precondition failed, or no
    check ran), 5 nothing failed but something is NOT ENFORCED, else 0."""
    return results.worst(m.exit_code for m in results.machines(result, "verify"))
