"""labctl up: set an exercise up, idempotently."""

from typing import Annotated

import typer

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, Inventory, Json, Limit, NoWait, ScenarioId, Vars, parse_vars
from labctl.core import scenarios


def up(
    scenario_id: ScenarioId,
    converge: Annotated[
        bool, typer.Option("--converge", help="Run every task even when the lab looks unchanged since the last up.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace containers, pods or volumes of the exercise's names that labctl did not make."
        ),
    ] = False,
    var: Vars = None,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Set the exercise up: its network, pods, volumes, images and containers, working."""
    scenario = scenarios.load(scenario_id)
    overrides = parse_vars(scenario, var)
    result = run_action(
        scenario,
        "up",
        wait=not no_wait,
        debug=debug,
        inventory=inventory,
        limit=limit,
        overrides=overrides,
        options={"lab_force": force},
        fast_path=not converge,
    )
    finish_provisioning(scenario, "up", result, json_out=json_out)
