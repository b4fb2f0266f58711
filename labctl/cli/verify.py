"""labctl verify: every check of the exercise, PASS/FAIL each, with a hint on failure."""

from typing import Annotated

import typer

from labctl.cli.common import run_action
from labctl.cli.options import Debug, Inventory, Json, Limit, NoWait, ScenarioId
from labctl.core import report, scenarios
from labctl.core.actions import raise_for_failures
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.runner import RunResult


def verify(
    scenario_id: ScenarioId,
    look_only: Annotated[
        bool,
        typer.Option(
            "--look-only",
            help="Skip the checks that act on the lab to know (a row and a pod restart, an allocation, a signal).",
        ),
    ] = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Check the exercise as the course describes it; exit 0 only when every check passes."""
    scenario = scenarios.load(scenario_id)
    options = {"lab_look_only": look_only}
    result = run_action(
        scenario, "verify", wait=not no_wait, debug=debug, inventory=inventory, limit=limit, options=options
    )
    outcome = verdict(result)
    if json_out:
        report.print_json(
            report.result_json(
                result, scenario=scenario.id, action="verify", passed=outcome == ExitCode.OK, exit_code=int(outcome)
            )
        )
    else:
        raise_for_failures(result, f"verify {scenario.id}")
        if not result.checks:
            raise LabctlError(f"verify {scenario.id} ran no checks; its role has no verify tasks.")
        report.print_checks(result.checks, show_host=len(result.stats) > 1)
        words = {
            ExitCode.OK: "[green]the lab is right[/]",
            ExitCode.FAILED: "[bold red]not all checks passed[/]",
            ExitCode.NOT_ENFORCED: "[magenta]nothing failed, but not everything can be enforced on this host[/]",
        }
        report.out.print(f"{scenario.id}: {report.checks_summary(result.checks)} — {words.get(outcome, '')}")
    if outcome != ExitCode.OK:
        raise typer.Exit(outcome)


def verdict(result: RunResult) -> ExitCode:
    """0 when no check failed (a SKIP whose check says why it is no failure, and INFO, are fine), 1 on
    a FAIL or a SKIP whose precondition failed, 5 when nothing failed but something is NOT ENFORCED
    on this host, 4 for an unreachable host."""
    statuses = {c.status for c in result.checks}
    if result.unreachable:
        return ExitCode.UNREACHABLE
    if not result.ok or any(c.failing for c in result.checks) or not result.checks:
        return ExitCode.FAILED
    if "NOT_ENFORCED" in statuses:
        return ExitCode.NOT_ENFORCED
    return ExitCode.OK
