"""Options shared by several verbs."""

from typing import Annotated

import typer

from labctl.core.errors import ExitCode, LabctlError
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


Vars = Annotated[
    list[str] | None,
    typer.Option(
        "--var",
        metavar="NAME=VALUE",
        help="Set a variable of the exercise's role, e.g. ex2_pod_mysql_root_password=… (repeatable).",
    ),
]


def parse_vars(scenario: Scenario, pairs: list[str] | None) -> dict[str, str]:
    """--var NAME=VALUE pairs; only the scenario role's own variables may be set."""
    result: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise LabctlError(f"--var {pair!r} must look like NAME=VALUE.", ExitCode.USAGE)
        if not name.startswith(f"{scenario.role}_"):
            raise LabctlError(
                f"--var {name}: only variables of role {scenario.role} ({scenario.role}_…) can be set for "
                f"{scenario.id}; see its defaults/main.yml.",
                ExitCode.USAGE,
            )
        result[name] = value
    return result
