"""labctl host check | setup [--undo]: what the host has for the labs, making it ready, and undoing that."""

import re
from typing import Annotated

import typer

from labctl.cli.options import RUN, Options, shared
from labctl.core import pipeline, report, scenarios
from labctl.core.actions import run_host_action
from labctl.core.errors import ExitCode, LabctlError, Outcome
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


def _run(action: str, user: str | None, opts: Options, settings: dict | None = None) -> None:
    def go(conn, on_progress):
        found = scenarios.load_all(report.warn_all())
        return run_host_action(
            action,
            found,
            rootless_user=user,
            on_progress=on_progress,
            verbosity=conn.verbosity,
            wait=opts.wait,
            connection=conn,
            settings=settings,
        )

    verb = COMMANDS[action].replace(" ", "-")
    result = pipeline.run(pipeline.Request(verb, "", TITLES[action], go, judged_as="check"), opts)
    if opts.json or pipeline.several(result):
        report.room_view(COMMANDS[action], "check", result, json_out=opts.json, command=COMMANDS[action])
        return
    raise_for_failures(result, COMMANDS[action])
    report.print_checks(result.checks, show_host=False)
    failed = any(c.status == "FAIL" for c in result.checks) or not result.ok
    if failed:
        raise Outcome(ExitCode.HOST_NOT_READY)


@app.command()
@shared(*RUN)
def check(user: RootlessUser = None, *, opts: Options) -> None:
    """Report what the host has; change nothing."""
    _run("check", user, opts)


@app.command()
@shared(*RUN)
def setup(
    user: RootlessUser = None,
    undo: Undo = False,
    registry_mirror: RegistryMirror = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="The registry mirror speaks plain HTTP.")] = False,
    no_registry_mirror: Annotated[
        bool, typer.Option("--no-registry-mirror", help="Remove labctl's registry mirror setting.")
    ] = False,
    *,
    opts: Options,
) -> None:
    """Install Podman if missing and configure it so containers start here (needs root); --undo undoes it."""
    if undo and user:
        raise LabctlError(
            "--user does not go with --undo, which removes labctl's files for the user it runs as.", ExitCode.USAGE
        )
    settings = mirror_settings(registry_mirror, insecure, no_registry_mirror, undo)
    _run("undo" if undo else "setup", user, opts, settings=settings)
