"""labctl host check | setup [--undo] | keys: what the host has for the labs, making it ready, undoing that,
and the first contact with a fresh room (its machines' SSH host keys)."""

import re
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from ansible_collections.labctl.lab.plugins.module_utils import networks

from labctl.cli.options import RUN, Options, shared
from labctl.core import hostkeys, pipeline, report, scenarios
from labctl.core.actions import run_host_action
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.i18n import N_, _, ngettext
from labctl.core.paths import own_home
from labctl.core.results import raise_for_failures
from labctl.core.runner import run_playbook

app = typer.Typer(
    help="Check or set up the host (Podman, runtime, cgroups, rootless, ports); record a room's host keys.",
    no_args_is_help=True,
)

DefaultSubnet = Annotated[
    str | None,
    typer.Option(
        "--default-subnet",
        metavar="CIDR",
        help="The network Podman gives containers by default (10.88.0.0/16), for machines that are on it themselves.",
        show_default=False,
    ),
]
InstallLabctl = Annotated[
    Path | None,
    typer.Option(
        "--install-labctl",
        metavar="WHEELHOUSE",
        help=(
            "Install this labctl on the machines for every user, from a folder of wheels (labctl's and its "
            "dependencies': `pip wheel -w WHEELHOUSE labctl`), without an index; and write /etc/labctl/config.toml."
        ),
        show_default=False,
    ),
]
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
        raise LabctlError(_("--registry-mirror does not go with --no-registry-mirror or --undo."), ExitCode.USAGE)
    if insecure and mirror is None:
        raise LabctlError(_("--insecure goes with --registry-mirror HOST[:PORT]."), ExitCode.USAGE)
    if mirror is not None:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._/-]+)?", mirror):
            raise LabctlError(
                _(
                    "--registry-mirror {mirror!r} is no registry address: give HOST[:PORT][/PREFIX], "
                    "e.g. 10.0.0.5:5000."
                ).format(mirror=mirror),
                ExitCode.USAGE,
            )
        return {"host_registry_mirror": mirror, "host_registry_mirror_insecure": insecure}
    return {"host_registry_mirror_remove": True} if remove else {}


TITLES = {
    "check": N_("Checking the host"),
    "setup": N_("Setting the host up"),
    "undo": N_("Undoing labctl's host set-up"),
}
COMMANDS = {"check": "host check", "setup": "host setup", "undo": "host setup --undo"}


def subnet_settings(subnet: str | None) -> dict:
    """host_default_subnet for --default-subnet (checked here: a bad one is exit 2)."""
    if subnet is None:
        return {}
    try:
        return {"host_default_subnet": networks.valid_subnet(subnet)}
    except ValueError as exc:
        raise LabctlError(str(exc) + ".", ExitCode.USAGE) from None


def labctl_settings(wheelhouse: Path | None, found: list) -> dict:
    """The host role's variables for --install-labctl: the wheelhouse (it must hold this labctl's wheel)."""
    if wheelhouse is None:
        return {}
    folder = wheelhouse.expanduser()
    version = metadata.version("labctl")
    if not folder.is_dir():
        raise LabctlError(
            _("--install-labctl {folder}: no such folder of wheels.").format(folder=wheelhouse), ExitCode.USAGE
        )
    if not list(folder.glob(f"labctl-{version}-*.whl")):
        raise LabctlError(
            _(
                "--install-labctl {folder} holds no wheel of this labctl ({version}): make one with "
                "`pip wheel -w {folder} <this labctl's checkout or wheel>`, then try again."
            ).format(folder=wheelhouse, version=version),
            ExitCode.USAGE,
        )
    return {
        "host_labctl_wheelhouse": str(folder.resolve()),
        "host_labctl_version": version,
        "host_labctl_scenarios": [s.id for s in found],
    }


def _run(action: str, opts: Options, settings: dict | None = None) -> None:
    def go(conn, on_progress):
        found = scenarios.load_all(report.warn_all())
        return run_host_action(
            action,
            found,
            on_progress=on_progress,
            verbosity=conn.verbosity,
            wait=opts.wait,
            connection=conn,
            settings=settings,
        )

    verb = COMMANDS[action].replace(" ", "-")
    result = pipeline.run(pipeline.Request(verb, "", _(TITLES[action]), go, judged_as="check"), opts)
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
def check(*, opts: Options) -> None:
    """Report what the host has (with --lab-user NAME or each host's lab_user: that user's rootless Podman);
    change nothing."""
    _run("check", opts)


@app.command()
@shared(*RUN)
def setup(
    undo: Undo = False,
    registry_mirror: RegistryMirror = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="The registry mirror speaks plain HTTP.")] = False,
    no_registry_mirror: Annotated[
        bool, typer.Option("--no-registry-mirror", help="Remove labctl's registry mirror setting.")
    ] = False,
    default_subnet: DefaultSubnet = None,
    install_labctl: InstallLabctl = None,
    *,
    opts: Options,
) -> None:
    """Install Podman if missing and configure it so containers start here (needs root); --undo undoes it.
    With --lab-user NAME (or each host's lab_user): linger, overlay storage and subuids for that user."""
    # The flag only: a machine's config file may name its student, and --undo must still run there.
    if undo and (opts.lab_user or default_subnet or install_labctl):
        raise LabctlError(
            _("--lab-user, --default-subnet and --install-labctl do not go with --undo, which removes labctl's files."),
            ExitCode.USAGE,
        )
    settings = {
        **mirror_settings(registry_mirror, insecure, no_registry_mirror, undo),
        **subnet_settings(default_subnet),
        **labctl_settings(install_labctl, scenarios.load_all(report.warn_all()) if install_labctl else []),
    }
    _run("undo" if undo else "setup", opts, settings=settings)


@app.command()
@shared("json", "connect")
def keys(
    yes: Annotated[
        bool, typer.Option("--yes", help="Record the keys shown without asking (the trainer has checked them).")
    ] = False,
    known_hosts: Annotated[
        Path | None,
        typer.Option("--known-hosts", metavar="FILE", help="Record them here (default: your ~/.ssh/known_hosts)."),
    ] = None,
    *,
    opts: Options,
) -> None:
    """First contact: show each machine's SSH host key fingerprints, then record them in your known_hosts.
    A key that differs from the one recorded is never replaced: that is what the check guards against."""

    def go(conn, on_progress):
        return run_playbook(
            "host_keys.yml", {}, label="host-keys", connection=conn, lock_store=False, on_progress=on_progress
        )

    result = pipeline.run(pipeline.Request("host-keys", "", _("Reading the machines' host keys"), go), opts)
    found: list[hostkeys.HostKey] = []
    rows = []
    keyless = []  # machines that gave no key: exit 4 at the end, new keys or not
    for host in result.hosts:
        data = result.reports.get(host) or {}
        keys_here = hostkeys.parse_keyscan(str(data.get("scan", "")))
        if not keys_here:
            keyless.append(host)
            rows.append((host, "-", _("no key: not reachable on its SSH port")))
        for key in keys_here:
            found.append(key)
            rows.append((host, key.kind, hostkeys.fingerprint(key.key)))
    if opts.json:
        report.print_json([{"host": h, "type": k, "fingerprint": f} for h, k, f in rows])
    else:
        for host, kind, print_ in rows:
            report.out.print(f"{report.escape(host)}  {kind}  {report.escape(print_)}")
    known = known_hosts.expanduser() if known_hosts else Path(own_home()) / ".ssh" / "known_hosts"
    add, conflicts = hostkeys.merge(known.read_text(encoding="utf-8") if known.exists() else "", found)
    if conflicts:
        names = ", ".join(sorted({k.host for k in conflicts}))
        raise LabctlError(
            _(
                "The host key of {hosts} differs from the one {file} holds: a reinstalled machine, or someone in "
                "between; check with IT, then `ssh-keygen -R HOST` and run `labctl host keys` again."
            ).format(hosts=names, file=known),
            # the first that applies of 4, 3: a machine that gave no key at all is unreachable
            ExitCode.UNREACHABLE if keyless else ExitCode.HOST_NOT_READY,
        )
    if not add:
        if found:
            report.note(report.escape(_("Every key shown is already in {file}.").format(file=known)))
        if keyless:
            raise Outcome(ExitCode.UNREACHABLE)
        return
    question = ngettext(
        "Are these the machines' keys? Record {n} key(s) in {file}",
        "Are these the machines' keys? Record {n} key(s) in {file}",
        len(add),
    )
    # On stderr, with the notes: stdout holds the results (--json).
    if not yes and not typer.confirm(question.format(n=len(add), file=known), default=False, err=True):
        raise Outcome(ExitCode.USAGE)
    hostkeys.record(known, add)
    recorded = ngettext(
        "Recorded {n} key(s) in {file}; the next runs check them.",
        "Recorded {n} key(s) in {file}; the next runs check them.",
        len(add),
    )
    report.note(report.escape(recorded.format(n=len(add), file=known)))
    if keyless:
        raise Outcome(ExitCode.UNREACHABLE)
