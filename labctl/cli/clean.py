"""labctl clean: nothing of the exercise left (images are kept)."""

from typing import Annotated

import typer

from labctl.cli.options import RUN, All, DryRun, Options, ScenarioOrAll, shared
from labctl.core import pipeline
from labctl.core.scenarios import Scenario


@shared(*RUN)
def clean(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    images: Annotated[bool, typer.Option("--images", help="Also remove the images the exercise built.")] = False,
    dry_run: DryRun = False,
    *,
    opts: Options,
) -> None:
    """Remove the exercise's containers, pods, networks and volumes; keep the images unless --images."""

    def one(scenario: Scenario) -> None:
        pipeline.provision(scenario, "clean", opts, options={"lab_remove_images": images, "lab_dry_run": dry_run})

    pipeline.each(scenario_id, every, "clean", one, opts, reverse=True)
