"""labctl host check | setup [--undo]: what the host has for the labs, making it ready, and undoing that."""

import re
from typing import Annotated

import typer

from labctl.cli.common import finish_room, remember, retry_connection, several
from labctl.cli.options import (
    AskBecomePass,
    Become,
    Debug,
    Forks,
    Inventory,
    Json,
    Limit,
    NoWait,
    PrivateKey,
    RetryFailed,
    Verbose,
    connection,
)
from labctl.core import report, scenarios
from labctl.core.actions import run_host_action
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.results import raise_for_failures

app = typer.Typer(help="Check or set up the host (Podman, runtime, cgroups, rootless, ports).", no_args_is_help=True)

RootlessUser = Annotated[str | None, typer.Option("--user", help="Report rootless readiness for this user.")]
Undo = Annotated[
    bool,
    typer.Option(
        "--undo",
        help="Remove what labctl wrote on the host (its containers.conf drop-in, its records); packages stay.",
    ),
]

RegistryMirror = Annotated[
    str | None,
    typer.Option(
        "--registry-mirror",
        metavar="HOST[:PORT][/PREFIX]",
        help="Make every pull of docker.io go through the room's registry first (Docker Hub stays the fallback).",
    ),
]


def mirror_settings(mirror: str | None, insecure: bool, remove: bool, undo: bool) -> dict:
    """The host role's variables for --registry-mirror / --insecure / --no-registry-mirror."""
    if mirror is not None and (remove or undo):
        raise LabctlError("--registry-mirror does not go with --no-registry-mirror or --undo.", ExitCode.USAGE)
    if insecure and mirror is None:
        raise LabctlError("--insecure goes with --registry-mirror HOST[:PORT].", ExitCode.USAGE)
    if mirror is not None:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._/-]+)?", mirror):
            raise LabctlError(
                f"--registry-mirror {mirror!r} is no registry address: give HOST[:PORT][/PREFIX], e.g. 10.0.0.5:5000.",
                ExitCode.USAGE,
            )
        return {"host_registry_mirror": mirror, "host_registry_mirror_insecure": insecure}
    return {"host_registry_mirror_remove": True} if remove else {}


TITLES = {"check": "Checking the host", "setup": "Setting the host up", "undo": "Undoing labctl's host set-up"}
COMMANDS = {"check": "host check", "setup": "host setup", "undo": "host setup --undo"}


def _run(
    action: str,
    user: str | None,
    json_out: bool,
    debug: bool,
    conn: Connection,
    wait: bool = True,
    retry_failed: bool = False,
    settings: dict | None = None,
) -> None:
    verb = COMMANDS[action].replace(" ", "-")
    if retry_failed:
        conn = retry_connection(conn, verb, "")
    with report.progress(TITLES[action], debug) as on_progress:
        result = run_host_action(
            action,
            scenarios.load_all(report.warn_all()),
            rootless_user=user,
            on_progress=on_progress,
            verbosity=conn.verbosity,
            wait=wait,
            connection=conn,
            settings=settings,
        )
    remember(conn, verb, "", result, "check")
    if json_out or several(result):
        finish_room(COMMANDS[action], "check", result, json_out=json_out, command=COMMANDS[action])
        return
    raise_for_failures(result, COMMANDS[action])
    report.print_checks(result.checks, show_host=False)
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
    become: Become = None,
    ask_become_pass: AskBecomePass = False,
    forks: Forks = None,
    private_key: PrivateKey = None,
    verbose: Verbose = 0,
    retry_failed: RetryFailed = False,
    no_wait: NoWait = False,
) -> None:
    """Report what the host has; change nothing."""
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)
    _run("check", user, json_out, debug, conn, wait=not no_wait, retry_failed=retry_failed)


@app.command()
def setup(
    user: RootlessUser = None,
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
    undo: Undo = False,
    registry_mirror: RegistryMirror = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="The registry mirror speaks plain HTTP.")] = False,
    no_registry_mirror: Annotated[
        bool, typer.Option("--no-registry-mirror", help="Remove labctl's registry mirror setting.")
    ] = False,
) -> None:
    """Install Podman if missing and configure it so containers start here (needs root); --undo undoes it."""
    if undo and user:
        raise LabctlError(
            "--user does not go with --undo, which removes labctl's files for the user it runs as.", ExitCode.USAGE
        )
    settings = mirror_settings(registry_mirror, insecure, no_registry_mirror, undo)
    conn = connection(inventory, limit, become, ask_become_pass, forks, private_key, verbose, debug)
    _run(
        "undo" if undo else "setup",
        user,
        json_out,
        debug,
        conn,
        wait=not no_wait,
        retry_failed=retry_failed,
        settings=settings,
    )
