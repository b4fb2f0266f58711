"""labctl clean: nothing of the exercise left (images are kept)."""

from typing import Annotated

import typer

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, DryRun, Inventory, Json, Limit, NoWait, ScenarioId
from labctl.core import scenarios


def clean(
    scenario_id: ScenarioId,
    images: Annotated[bool, typer.Option("--images", help="Also remove the images the exercise built.")] = False,
    dry_run: DryRun = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Remove the exercise's containers, pods, networks and volumes; keep the images unless --images."""
    scenario = scenarios.load(scenario_id)
    options = {"lab_remove_images": images, "lab_dry_run": dry_run}
    result = run_action(
        scenario, "clean", wait=not no_wait, debug=debug, inventory=inventory, limit=limit, options=options
    )
    finish_provisioning(scenario, "clean", result, json_out=json_out)
