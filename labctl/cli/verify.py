"""labctl verify: every check of the exercise, PASS/FAIL each, with a hint on failure."""

import typer

from labctl.cli.common import run_action
from labctl.cli.options import Debug, Inventory, Json, Limit, ScenarioId, load_scenario
from labctl.core import report
from labctl.core.actions import raise_for_failures
from labctl.core.errors import ExitCode, LabctlError


def verify(
    scenario_id: ScenarioId,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
) -> None:
    """Check the exercise as the course describes it; exit 0 only when every check passes."""
    scenario = load_scenario(scenario_id)
    result = run_action(scenario, "verify", debug=debug, inventory=inventory, limit=limit)
    passed = result.ok and all(c.status == "PASS" for c in result.checks) and bool(result.checks)
    if json_out:
        report.print_json(report.result_json(result, scenario=scenario.id, action="verify", passed=passed))
    else:
        raise_for_failures(result, f"verify {scenario.id}")
        if not result.checks:
            raise LabctlError(f"verify {scenario.id} ran no checks; its role has no verify tasks.")
        report.print_checks(result.checks, show_host=len(result.stats) > 1)
        verdict = "[green]all checks passed[/]" if passed else "[bold red]not all checks passed[/]"
        report.out.print(f"{scenario.id}: {report.checks_summary(result.checks)} — {verdict}")
    if result.unreachable:
        raise typer.Exit(ExitCode.UNREACHABLE)
    if not passed:
        raise typer.Exit(ExitCode.FAILED)
