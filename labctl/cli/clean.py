"""labctl clean: nothing of the exercise left (images are kept)."""

from typing import Annotated

import typer

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, Inventory, Json, Limit, ScenarioId
from labctl.core import scenarios


def clean(
    scenario_id: ScenarioId,
    images: Annotated[bool, typer.Option("--images", help="Also remove the images the exercise built.")] = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
) -> None:
    """Remove the exercise's containers, pods, networks and volumes; keep the images unless --images."""
    scenario = scenarios.load(scenario_id)
    options = {"lab_remove_images": images}
    result = run_action(scenario, "clean", debug=debug, inventory=inventory, limit=limit, options=options)
    finish_provisioning(scenario, "clean", result, json_out=json_out)
