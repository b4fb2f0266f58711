"""labctl up: set an exercise up, idempotently."""

from typing import Annotated

import typer

from labctl.cli.options import (
    RUN,
    All,
    CaCert,
    Options,
    PullPolicy,
    PullWhen,
    ScenarioOrAll,
    Vars,
    ca_option,
    parse_vars,
    shared,
)
from labctl.core import pipeline
from labctl.core.scenarios import Scenario


@shared(*RUN)
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
    *,
    opts: Options,
) -> None:
    """Set the exercise up: its network, pods, volumes, images and containers, working."""

    def one(scenario: Scenario) -> None:
        options = {"lab_force": force, "lab_pull": pull.value, **ca_option(ca_cert)}
        pipeline.provision(
            scenario, "up", opts, overrides=parse_vars(scenario, var), options=options, fast_path=not converge
        )

    pipeline.each(scenario_id, every, "up", one, opts)
