"""labctl clean: nothing of the exercise left (images are kept)."""

from typing import Annotated

import typer

from labctl.cli.common import each, finish_provisioning, run_action
from labctl.cli.options import (
    All,
    AskBecomePass,
    Become,
    Debug,
    DryRun,
    Forks,
    Inventory,
    Json,
    Limit,
    NoWait,
    PrivateKey,
    RetryFailed,
    ScenarioOrAll,
    Verbose,
    connection,
)
from labctl.core.scenarios import Scenario


def clean(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    images: Annotated[bool, typer.Option("--images", help="Also remove the images the exercise built.")] = False,
    dry_run: DryRun = False,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    become: Become = None,
    ask_become_pass: AskBecomePass = False,
    forks: Forks = None,
    private_key: PrivateKey = None,
    verbose: Verbose = 0,
    retry_failed: RetryFailed = False,
    no_wait: NoWait = False,
) -> None:
    """Remove the exercise's containers, pods, networks and volumes; keep the images unless --images."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)

    def one(scenario: Scenario) -> None:
        options = {"lab_remove_images": images, "lab_dry_run": dry_run}
        result = run_action(
            scenario,
            "clean",
            wait=not no_wait,
            debug=debug,
            connection=conn,
            options=options,
            retry_failed=retry_failed,
        )
        finish_provisioning(scenario, "clean", result, json_out=json_out)

    each(scenario_id, every, "clean", one, json_out)
