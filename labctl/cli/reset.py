"""labctl reset: back to a fresh, working exercise."""

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, Inventory, Json, Limit, ScenarioId, load_scenario


def reset(
    scenario_id: ScenarioId,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
) -> None:
    """Remove the exercise's resources and set it up afresh (its data is wiped)."""
    scenario = load_scenario(scenario_id)
    result = run_action(scenario, "reset", debug=debug, inventory=inventory, limit=limit)
    finish_provisioning(scenario, "reset", result, json_out=json_out)
