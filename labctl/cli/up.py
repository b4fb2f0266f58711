"""labctl up: set an exercise up, idempotently."""

from typing import Annotated

import typer

from labctl.cli.common import each, finish_provisioning, run_action
from labctl.cli.options import (
    All,
    AskBecomePass,
    Become,
    CaCert,
    Debug,
    Forks,
    Inventory,
    Json,
    Limit,
    NoWait,
    PrivateKey,
    PullPolicy,
    PullWhen,
    RetryFailed,
    ScenarioOrAll,
    Vars,
    Verbose,
    ca_option,
    connection,
    parse_vars,
)
from labctl.core.scenarios import Scenario


def up(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
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
    pull: PullPolicy = PullWhen.missing,
    ca_cert: CaCert = None,
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
    """Set the exercise up: its network, pods, volumes, images and containers, working."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)

    def one(scenario: Scenario) -> None:
        result = run_action(
            scenario,
            "up",
            wait=not no_wait,
            debug=debug,
            connection=conn,
            overrides=parse_vars(scenario, var),
            options={"lab_force": force, "lab_pull": pull.value, **ca_option(ca_cert)},
            fast_path=not converge,
            retry_failed=retry_failed,
        )
        finish_provisioning(scenario, "up", result, json_out=json_out)

    each(scenario_id, every, "up", one, json_out)
