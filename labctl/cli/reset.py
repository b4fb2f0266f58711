"""labctl reset: back to a fresh, working exercise."""

from typing import Annotated

import typer

from labctl.cli.common import each, finish_provisioning, run_action
from labctl.cli.options import (
    All,
    AskBecomePass,
    Become,
    CaCert,
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
    Vars,
    Verbose,
    ca_option,
    connection,
    parse_vars,
)
from labctl.core.scenarios import Scenario


def reset(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    keep_data: Annotated[
        bool, typer.Option("--keep-data", help="Keep the exercise's volumes (its database, say).")
    ] = False,
    var: Vars = None,
    dry_run: DryRun = False,
    json_out: Json = False,
    ca_cert: CaCert = None,
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
    """Remove the exercise's resources and set it up afresh (its data is wiped)."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)

    def one(scenario: Scenario) -> None:
        result = run_action(
            scenario,
            "reset",
            wait=not no_wait,
            debug=debug,
            connection=conn,
            overrides=parse_vars(scenario, var),
            options={"lab_keep_data": keep_data, "lab_dry_run": dry_run, **ca_option(ca_cert)},
            retry_failed=retry_failed,
        )
        finish_provisioning(scenario, "reset", result, json_out=json_out)

    each(scenario_id, every, "reset", one, json_out)
