"""labctl host check | setup [--undo]: what the host has for the labs, making it ready, and undoing that."""

from typing import Annotated

import typer

from labctl.cli.options import Debug, Inventory, Json, Limit, NoWait
from labctl.core import report, scenarios
from labctl.core.actions import raise_for_failures, run_host_action
from labctl.core.errors import ExitCode, LabctlError

app = typer.Typer(help="Check or set up the host (Podman, runtime, cgroups, rootless, ports).", no_args_is_help=True)

RootlessUser = Annotated[str | None, typer.Option("--user", help="Report rootless readiness for this user.")]
Undo = Annotated[
    bool,
    typer.Option(
        "--undo",
        help="Remove what labctl wrote on the host (its containers.conf drop-in, its records); packages stay.",
    ),
]

TITLES = {"check": "Checking the host", "setup": "Setting the host up", "undo": "Undoing labctl's host set-up"}
COMMANDS = {"check": "host check", "setup": "host setup", "undo": "host setup --undo"}


def _run(
    action: str,
    user: str | None,
    json_out: bool,
    debug: bool,
    inventory: str | None,
    limit: str | None,
    wait: bool = True,
) -> None:
    with report.progress(TITLES[action], debug) as on_progress:
        result = run_host_action(
            action,
            scenarios.load_all(report.warn_all()),
            rootless_user=user,
            inventory=inventory,
            limit=limit,
            on_progress=on_progress,
            verbosity=1 if debug else 0,
            wait=wait,
        )
    if json_out:
        report.print_json(report.result_json(result, action=COMMANDS[action]))
    else:
        raise_for_failures(result, COMMANDS[action])
        report.print_checks(result.checks, show_host=len(result.stats) > 1)
    failed = any(c.status == "FAIL" for c in result.checks) or not result.ok
    if failed:
        raise typer.Exit(ExitCode.HOST_NOT_READY)


@app.command()
def check(
    user: RootlessUser = None,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
) -> None:
    """Report what the host has; change nothing."""
    _run("check", user, json_out, debug, inventory, limit, wait=not no_wait)


@app.command()
def setup(
    user: RootlessUser = None,
    json_out: Json = False,
    debug: Debug = False,
    inventory: Inventory = None,
    limit: Limit = None,
    no_wait: NoWait = False,
    undo: Undo = False,
) -> None:
    """Install Podman if missing and configure it so containers start here (needs root); --undo undoes it."""
    if undo and user:
        raise LabctlError(
            "--user does not go with --undo, which removes labctl's files for the user it runs as.", ExitCode.USAGE
        )
    _run("undo" if undo else "setup", user, json_out, debug, inventory, limit, wait=not no_wait)
