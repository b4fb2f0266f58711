"""labctl prepare: the machine ready for a student to do the exercise by hand (like `lab start`)."""

from pathlib import Path
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
    PullPolicy,
    PullWhen,
    RetryFailed,
    ScenarioOrAll,
    Verbose,
    ca_option,
    connection,
)
from labctl.core import report
from labctl.core.scenarios import Scenario

DEFAULT_WORKDIR = "~/labctl/<scenario>"


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
    """Host ready, images there, the exercise's files laid out, leftovers removed: then do it by hand."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)

    def one(scenario: Scenario) -> None:
        where = f"{directory}/{scenario.id}" if directory and every else directory or f"~/labctl/{scenario.id}"
        # On other machines the folder is resolved there (~ is the remote user's home), not here.
        workdir = Path(where).expanduser().absolute()
        options = {
            "lab_workdir": where if conn.remote else str(workdir),
            "lab_dry_run": dry_run,
            "lab_pull": pull.value,
            **ca_option(ca_cert),
        }
        result = run_action(
            scenario,
            "prepare",
            wait=not no_wait,
            debug=debug,
            connection=conn,
            options=options,
            retry_failed=retry_failed,
        )
        finish_provisioning(scenario, "prepare", result, json_out=json_out)
        if json_out or dry_run:
            return
        files = sorted(p.name for p in workdir.iterdir()) if not conn.remote and workdir.is_dir() else []
        laid = f"the exercise's files are in {workdir} ({', '.join(files)}); " if files else ""
        if conn.remote:
            laid = f"the exercise's files are in {where} on each machine; "
        report.out.print(
            f"{laid}now follow the course's steps for {scenario.course_ref}, then run `labctl verify {scenario.id}`."
        )

    each(scenario_id, every, "prepare", one, json_out)
