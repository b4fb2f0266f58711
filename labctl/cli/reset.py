"""labctl reset: back to a fresh, working exercise."""

from typing import Annotated

import typer

from labctl.cli.options import RUN, All, CaCert, DryRun, Options, ScenarioOrAll, Vars, ca_option, parse_vars, shared
from labctl.core import pipeline
from labctl.core.scenarios import Scenario


@shared(*RUN)
def reset(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    keep_data: Annotated[
        bool, typer.Option("--keep-data", help="Keep the exercise's volumes (its database, say).")
    ] = False,
    var: Vars = None,
    dry_run: DryRun = False,
    ca_cert: CaCert = None,
    *,
    opts: Options,
) -> None:
    """Remove the exercise's resources and set it up afresh (its data is wiped)."""

    def one(scenario: Scenario) -> None:
        options = {"lab_keep_data": keep_data, "lab_dry_run": dry_run, **ca_option(ca_cert)}
        pipeline.provision(scenario, "reset", opts, overrides=parse_vars(scenario, var), options=options)

    pipeline.each(scenario_id, every, "reset", one, opts)
