"""labctl prepare: the machine ready for a student to do the exercise by hand (like `lab start`)."""

from pathlib import Path
from typing import Annotated

import typer

from labctl.cli.options import RUN, All, CaCert, DryRun, Options, PullPolicy, PullWhen, ScenarioOrAll, ca_option, shared
from labctl.core import pipeline, report
from labctl.core.classview import exercise_title
from labctl.core.i18n import _
from labctl.core.scenarios import Scenario

DEFAULT_WORKDIR = "~/labctl/<scenario>"


@shared(*RUN)
def prepare(
    scenario_id: ScenarioOrAll = "",
    every: All = False,
    directory: Annotated[
        str | None,
        typer.Option(
            "--dir",
            help=f"Where the exercise's files go (default {DEFAULT_WORKDIR}; with --all, DIR/<scenario>).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRun = False,
    pull: PullPolicy = PullWhen.missing,
    ca_cert: CaCert = None,
    *,
    opts: Options,
) -> None:
    """Host ready, images there, the exercise's files laid out, leftovers removed: then do it by hand."""
    remote = opts.connection.remote

    def one(scenario: Scenario) -> None:
        where = f"{directory}/{scenario.id}" if directory and every else directory or f"~/labctl/{scenario.id}"
        # On other machines the folder is resolved there (~ is the remote user's home), not here.
        workdir = Path(where).expanduser().absolute()
        options = {
            "lab_workdir": where if remote else str(workdir),
            "lab_dry_run": dry_run,
            "lab_pull": pull.value,
            **ca_option(ca_cert),
        }
        pipeline.provision(scenario, "prepare", opts, options=options)
        if opts.json or dry_run:
            return
        files = sorted(p.name for p in workdir.iterdir()) if not remote and workdir.is_dir() else []
        laid = (
            _("the exercise's files are in {folder} ({files}); ").format(folder=workdir, files=", ".join(files))
            if files
            else ""
        )
        if remote:
            laid = _("the exercise's files are in {folder} on each machine; ").format(folder=where)
        then = _("{laid}now follow the course's steps for {exercise}, then run `labctl verify {scenario}`.").format(
            laid=laid, exercise=exercise_title(scenario.id, scenario.course_ref), scenario=scenario.id
        )
        report.note(report.escape(then), stdout=True)

    pipeline.each(scenario_id, every, "prepare", one, opts)
