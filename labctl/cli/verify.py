"""labctl verify: every check of the exercise, PASS/FAIL each, with a hint on failure."""

from typing import Annotated

import typer

from labctl.cli.common import each, finish_room, run_action, several
from labctl.cli.options import (
    All,
    AskBecomePass,
    Become,
    Csv,
    Debug,
    Forks,
    Inventory,
    Json,
    Limit,
    NoWait,
    PrivateKey,
    RetryFailed,
    ScenarioOrAll,
    Verbose,
    connection,
)
from labctl.core import report, room
from labctl.core.actions import raise_for_failures
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.runner import RunResult
from labctl.core.scenarios import Scenario


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
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    become: Become = None,
    ask_become_pass: AskBecomePass = False,
    forks: Forks = None,
    private_key: PrivateKey = None,
    verbose: Verbose = 0,
    retry_failed: RetryFailed = False,
    no_wait: NoWait = False,
) -> None:
    """Check the exercise as the course describes it; exit 0 only when every check passes."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)
    if csv and every:
        raise LabctlError(
            "--csv goes with one scenario: `labctl verify ex2 -i room.ini --csv ex2.csv`.", ExitCode.USAGE
        )

    def one(scenario: Scenario) -> None:
        options = {"lab_look_only": look_only}
        result = run_action(
            scenario,
            "verify",
            wait=not no_wait,
            debug=debug,
            connection=conn,
            options=options,
            retry_failed=retry_failed,
        )
        if json_out or several(result):
            finish_room(
                f"verify {scenario.id}",
                "verify",
                result,
                json_out=json_out,
                csv=csv,
                scenario=scenario.id,
                action="verify",
                passed=verdict(result) == ExitCode.OK,
            )
            return
        raise_for_failures(result, f"verify {scenario.id}")
        if not result.checks:
            raise LabctlError(f"verify {scenario.id} ran no checks; its role has no verify tasks.")
        if csv:
            written = room.write_csv(csv, room.machines(result, "verify"))
            report.err.print(f"[dim]checks written to {report.escape(str(written))}[/]")
        report.print_checks(result.checks, show_host=False)
        outcome = verdict(result)
        words = {
            ExitCode.OK: "[green]the lab is right[/]",
            ExitCode.FAILED: "[bold red]not all checks passed[/]",
            ExitCode.NOT_ENFORCED: "[magenta]nothing failed, but not everything can be enforced on this host[/]",
        }
        report.out.print(f"{scenario.id}: {report.checks_summary(result.checks)} — {words.get(outcome, '')}")
        if outcome != ExitCode.OK:
            raise typer.Exit(outcome)

    each(scenario_id, every, "verify", one, json_out)


def verdict(result: RunResult) -> ExitCode:
    """The exit code of a verify: per machine (see labctl.core.room), the first that applies of 4 a
    machine unreachable, 3 not ready, 1 a check failed (or a SKIP whose precondition failed, or no
    check ran), 5 nothing failed but something is NOT ENFORCED, else 0."""
    return room.worst(m.exit_code for m in room.machines(result, "verify"))
