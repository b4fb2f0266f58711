"""labctl prepare: the machine ready for a student to do the exercise by hand (like `lab start`)."""

from pathlib import Path
from typing import Annotated

import typer

from labctl.cli.common import finish_provisioning, run_action
from labctl.cli.options import Debug, DryRun, Inventory, Json, Limit, NoWait, ScenarioId
from labctl.core import report, scenarios

DEFAULT_WORKDIR = "~/labctl/<scenario>"


def prepare(
    scenario_id: ScenarioId,
    directory: Annotated[
        str | None,
        typer.Option("--dir", help=f"Where the exercise's files go (default {DEFAULT_WORKDIR}).", show_default=False),
    ] = None,
    dry_run: DryRun = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Host ready, images there, the exercise's files laid out, leftovers removed: then do it by hand."""
    scenario = scenarios.load(scenario_id)
    workdir = Path(directory).expanduser() if directory else Path.home() / "labctl" / scenario.id
    options = {"lab_workdir": str(workdir.absolute()), "lab_dry_run": dry_run}
    result = run_action(
        scenario, "prepare", wait=not no_wait, debug=debug, inventory=inventory, limit=limit, options=options
    )
    finish_provisioning(scenario, "prepare", result, json_out=json_out)
    if not json_out and not dry_run:
        files = sorted(p.name for p in workdir.iterdir()) if workdir.is_dir() else []
        where = f"the exercise's files are in {workdir} ({', '.join(files)}); " if files else ""
        report.out.print(
            f"{where}now follow the course's steps for {scenario.course_ref}, then run `labctl verify {scenario.id}`."
        )
