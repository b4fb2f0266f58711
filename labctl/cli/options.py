"""Options shared by several verbs."""

from typing import Annotated

import typer

from labctl.core import scenarios
from labctl.core.scenarios import Scenario

ScenarioId = Annotated[
    str, typer.Argument(metavar="SCENARIO", help="Scenario id, e.g. ex1 (see `labctl list`).", show_default=False)
]
Json = Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show each task and keep details of errors.")]
Inventory = Annotated[
    str | None,
    typer.Option("--inventory", "-i", help="Ansible inventory of lab machines (default: this machine)."),
]
Limit = Annotated[str | None, typer.Option("--limit", "-l", help="Only these hosts of the inventory.")]


def load_scenario(scenario_id: str) -> Scenario:
    return scenarios.load(scenario_id)
