"""labctl reset: back to a fresh, working exercise."""

from typing import Annotated

import typer

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, DryRun, Inventory, Json, Limit, NoWait, ScenarioId, Vars, parse_vars
from labctl.core import scenarios


def reset(
    scenario_id: ScenarioId,
    keep_data: Annotated[
        bool, typer.Option("--keep-data", help="Keep the exercise's volumes (its database, say).")
    ] = False,
    var: Vars = None,
    dry_run: DryRun = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Remove the exercise's resources and set it up afresh (its data is wiped)."""
    scenario = scenarios.load(scenario_id)
    overrides = parse_vars(scenario, var)
    result = run_action(
        scenario,
        "reset",
        wait=not no_wait,
        debug=debug,
        inventory=inventory,
        limit=limit,
        overrides=overrides,
        options={"lab_keep_data": keep_data, "lab_dry_run": dry_run},
    )
    finish_provisioning(scenario, "reset", result, json_out=json_out)
