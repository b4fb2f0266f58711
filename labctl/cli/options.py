"""The options: those every verb shares, declared once here (`shared`), and the few that several verbs take."""

import functools
import getpass
import inspect
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from labctl.core import config, export, i18n, report
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.scenarios import SCENARIO_PATH_ENV, Scenario

ScenarioId = Annotated[
    str, typer.Argument(metavar="SCENARIO", help="Scenario id, e.g. ex1 (see `labctl list`).", show_default=False)
]
# For verbs that also take --all: the scenario may be left out then.
ScenarioOrAll = Annotated[
    str,
    typer.Argument(metavar="SCENARIO", help="Scenario id, e.g. ex1 (see `labctl list`); or --all.", show_default=False),
]
All = Annotated[bool, typer.Option("--all", help="Every scenario of the course, in order; a summary at the end.")]
RetryFailed = Annotated[
    bool,
    typer.Option(
        "--retry-failed",
        help="Only the machines of the inventory that failed or could not be reached in the last such run.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show each task and keep details of errors.")]
Inventory = Annotated[
    str | None,
    typer.Option(
        "--inventory",
        "-i",
        help="Ansible inventory of lab machines (default: LABCTL_INVENTORY, the config file, else this machine).",
        show_default=False,
    ),
]
Become = Annotated[
    bool | None,
    typer.Option(
        "--become/--no-become",
        "-b",
        help="Become root on the machines (sudo) (default: LABCTL_BECOME, config).",
        show_default=False,
    ),
]
AskBecomePass = Annotated[
    bool,
    typer.Option("--ask-become-pass", "-K", help="Ask for the become (sudo) password; it never reaches argv or logs."),
]
AskPass = Annotated[
    bool,
    typer.Option(
        "--ask-pass",
        "-k",
        help="Ask for the SSH password (a fresh room without keys; needs sshpass); it never reaches argv or logs.",
    ),
]
RemoteUser = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        metavar="NAME",
        help="Connect as this SSH user, as Ansible's -u means it (default: the inventory's ansible_user).",
        show_default=False,
    ),
]
LabUser = Annotated[
    str | None,
    typer.Option(
        "--lab-user",
        metavar="NAME",
        help=(
            "Whose rootless Podman store holds the lab: labctl connects as the inventory's admin and does the "
            "exercise as NAME (default: each host's lab_user; on this machine LABCTL_LAB_USER, config; else the "
            "connecting user)."
        ),
        show_default=False,
    ),
]
Forks = Annotated[
    int | None,
    typer.Option(
        "--forks",
        "-f",
        min=1,
        help=f"Machines worked on at once (default: LABCTL_FORKS, config, else {config.DEFAULT_FORKS}).",
        show_default=False,
    ),
]
PrivateKey = Annotated[
    str | None,
    typer.Option(
        "--private-key",
        metavar="FILE",
        help="SSH private key for the machines (default: the inventory's).",
        show_default=False,
    ),
]
Verbose = Annotated[int, typer.Option("--verbose", "-v", count=True, help="More of Ansible's output (-vvv…).")]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Only the results: no progress, no summary or hint lines (errors still show)."),
]
Csv = Annotated[
    str | None,
    typer.Option(
        "--csv",
        metavar="FILE",
        help="Write the grades to FILE: student, machine, exercise, check, status, text (one row per check).",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Only say what clean would remove (marking what labctl did not make); change nothing."
    ),
]
NoWait = Annotated[
    bool,
    typer.Option("--no-wait", help="Fail at once (exit 3) when another labctl run is working on this Podman store."),
]
Limit = Annotated[str | None, typer.Option("--limit", "-l", help="Only these hosts of the inventory.")]
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="de|en",
        help="Language of everything shown, checks included (default: LABCTL_LANG, config, LC_ALL/LC_MESSAGES/LANG).",
        show_default=False,
    ),
]
Html = Annotated[
    str | None,
    typer.Option("--html", metavar="FILE", help="Write the class view as one self-contained HTML page to FILE."),
]
CsvDialect = Annotated[
    str,
    typer.Option(
        "--csv-dialect",
        metavar="excel|excel-de",
        help="excel: comma-separated UTF-8; excel-de: ';'-separated UTF-8 with a BOM (a German Excel).",
    ),
]


def use_language(flag: str | None = None, *, strict: bool = True) -> str:
    """Show everything from now on in the language asked for: --lang, else LABCTL_LANG or the config files'
    lang, else the locale environment (German for de*), else English. Ansible's checks get it as lab_lang.
    Not `strict` (before any verb, even --help): a config file that cannot be read is left to the verb to report."""
    try:
        configured = config.defaults().get("lang")
    except LabctlError:
        if strict:
            raise
        configured = None
    lang = i18n.language(flag, os.environ, configured)
    i18n.set_language(lang)
    return lang


def csv_dialect(name: str) -> str:
    if name not in export.DIALECTS:
        raise LabctlError(
            i18n._("--csv-dialect {name} is not known; use one of {known}.").format(
                name=name, known=", ".join(export.DIALECTS)
            ),
            ExitCode.USAGE,
        )
    return name


def connection(
    inventory: str | None,
    limit: str | None,
    become: bool | None = None,
    ask_become_pass: bool = False,
    forks: int | None = None,
    private_key: str | None = None,
    verbose: int = 0,
    debug: bool = False,
    lab_user: str | None = None,
    ask_pass: bool = False,
    remote_user: str | None = None,
) -> Connection:
    """How to reach the machines: the flags given, over LABCTL_* variables, over the config files."""
    ssh_password = None
    if ask_pass:
        if not shutil.which("sshpass"):
            raise LabctlError(
                i18n._(
                    "-k/--ask-pass needs sshpass on this machine (Ansible hands it the password): run "
                    "`sudo apt-get install sshpass`, or give the machines a key (`labctl host keys`, ssh-copy-id)."
                ),
                ExitCode.USAGE,
            )
        ssh_password = _ask(i18n._("SSH password: "), "-k/--ask-pass", i18n._("give the machines an SSH key instead"))
    password = None
    if ask_become_pass:
        password = _ask(
            i18n._("BECOME password: "),
            "-K/--ask-become-pass",
            i18n._("configure sudo without a password for the admin account"),
        )
    return config.connection(
        inventory=inventory,
        limit=limit,
        become=become,
        become_password=password,
        forks=forks,
        private_key=private_key,
        verbosity=verbose or (1 if debug else 0),
        lab_user=lab_user,
        ssh_password=ssh_password,
        remote_user=remote_user,
    )


def _ask(prompt: str, flag: str, otherwise: str) -> str:
    """A password asked for without echo, held in memory only."""
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError) as exc:
        message = i18n._("{flag} needs a terminal to ask on; run labctl from one, or {otherwise}.")
        raise LabctlError(message.format(flag=flag, otherwise=otherwise), ExitCode.USAGE) from exc


Vars = Annotated[
    list[str] | None,
    typer.Option(
        "--var",
        metavar="NAME=VALUE",
        help=(
            "Set a setting of the exercise's role, e.g. ex2_pod_mysql_greeting=Hi (repeatable). "
            "NAME=@FILE reads the value from FILE, NAME=? asks for it without echo: use one of these "
            "for a password, which on the command line any user of the machine can read in `ps`."
        ),
    ),
]


def parse_vars(scenario: Scenario, pairs: list[str] | None) -> dict[str, object]:
    """--var NAME=VALUE pairs, checked against the role's argument spec: known name, right type.

    Names, ports and images are refused: they come from the scenario file, which every verb reads,
    so an override here would leave verify, clean, status and the port check looking elsewhere.
    """
    options = scenario.role_options()
    from_file = scenario.role_vars()
    result: dict[str, object] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise LabctlError(i18n._("--var {pair!r} must look like NAME=VALUE.").format(pair=pair), ExitCode.USAGE)
        if name in from_file:
            raise LabctlError(
                i18n._(
                    "--var {name}: the exercise's names, ports and images come from its scenario file "
                    "{file} (key {key}); copy that file into a folder on {variable} under a new id to change them."
                ).format(
                    name=name,
                    file=scenario.source,
                    key=name.removeprefix(scenario.role + "_"),
                    variable=SCENARIO_PATH_ENV,
                ),
                ExitCode.USAGE,
            )
        spec = options.get(name)
        if spec is None or name.startswith("lab_") or not name.startswith(f"{scenario.role}_"):
            settable = ", ".join(n for n in options if n.startswith(f"{scenario.role}_") and n not in from_file)
            raise LabctlError(
                i18n._("--var {name}: role {role} has no such variable; it takes {settable}.").format(
                    name=name, role=scenario.role, settable=settable or i18n._("none")
                ),
                ExitCode.USAGE,
            )
        result[name] = _typed(name, _value(name, value), spec.get("type", "str"))
    return result


def _value(name: str, value: str) -> str:
    """The value itself, from a file (@FILE) or asked for without echo (?)."""
    if value == "?":
        try:
            return getpass.getpass(f"{name}: ")
        except (EOFError, OSError) as exc:
            raise LabctlError(
                i18n._("--var {name}=? needs a terminal to ask on; use {name}=@FILE.").format(name=name), ExitCode.USAGE
            ) from exc
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            return path.read_text(encoding="utf-8").removesuffix("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise LabctlError(
                i18n._("--var {name}: cannot read {path} ({problem}).").format(name=name, path=path, problem=exc),
                ExitCode.USAGE,
            ) from exc
    return value


NOT_A = {
    "int": i18n.N_("--var {name}: {value!r} is not an int."),
    "float": i18n.N_("--var {name}: {value!r} is not a float."),
    "bool": i18n.N_("--var {name}: {value!r} is not a bool."),
}


def _typed(name: str, value: str, kind: str) -> object:
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in ("true", "yes", "1", "false", "no", "0"):
                return value.lower() in ("true", "yes", "1")
            raise ValueError(value)
    except ValueError:
        raise LabctlError(i18n._(NOT_A[kind]).format(name=name, value=value), ExitCode.USAGE) from None
    if kind != "str":
        raise LabctlError(
            i18n._("--var {name}: a {kind} cannot be set on the command line.").format(name=name, kind=kind),
            ExitCode.USAGE,
        )
    return value


class PullWhen(str, Enum):
    missing = "missing"
    always = "always"
    never = "never"


PullPolicy = Annotated[
    PullWhen,
    typer.Option(
        "--pull",
        help="Pull images when missing (default), always (again, e.g. to replace look-alikes), or never.",
    ),
]


CaCert = Annotated[
    Path | None,
    typer.Option(
        "--ca-cert",
        metavar="FILE",
        help=(
            "A PEM bundle the exercises' image builds trust (a TLS-inspecting proxy's CA with the usual ones); "
            "default: the host's bundle when /usr/local/share/ca-certificates holds extra CAs."
        ),
    ),
]


def ca_option(path: Path | None) -> dict[str, str]:
    """lab_ca_bundle for the playbook, from --ca-cert (checked here: a missing file is exit 2)."""
    if path is None:
        return {}
    if not path.expanduser().is_file():
        raise LabctlError(i18n._("--ca-cert {path}: no such file.").format(path=path), ExitCode.USAGE)
    return {"lab_ca_bundle": str(path.expanduser().resolve())}


# --- the shared options, declared once ----------------------------------------------------------------------
# (parameter, its Typer annotation, default, group): a verb takes the options of no group and those of the
# groups it names. A new global option is a row here and a field of labctl.core.pipeline.Options.
SHARED: list[tuple[str, Any, Any, str | None]] = [
    ("json_out", Json, False, "json"),
    ("debug", Debug, False, None),
    ("quiet", Quiet, False, None),
    ("lang", Lang, None, None),
    ("inventory", Inventory, None, "connect"),
    ("limit", Limit, None, "connect"),
    ("become", Become, None, "connect"),
    ("ask_become_pass", AskBecomePass, False, "connect"),
    ("ask_pass", AskPass, False, "connect"),
    ("lab_user", LabUser, None, "connect"),
    ("remote_user", RemoteUser, None, "connect"),
    ("forks", Forks, None, "connect"),
    ("private_key", PrivateKey, None, "connect"),
    ("verbose", Verbose, 0, "connect"),
    ("retry_failed", RetryFailed, False, "retry"),
    ("no_wait", NoWait, False, "wait"),
]
RUN = ("json", "connect", "retry", "wait")


@dataclass
class Options:
    """What every verb may be given (SHARED above declares them for Typer)."""

    json: bool = False
    debug: bool = False
    quiet: bool = False
    lang: str | None = None
    inventory: str | None = None
    limit: str | None = None
    become: bool | None = None
    ask_become_pass: bool = False
    ask_pass: bool = False
    lab_user: str | None = None
    remote_user: str | None = None
    forks: int | None = None
    private_key: str | None = None
    verbose: int = 0
    retry_failed: bool = False
    no_wait: bool = False
    connection: Connection = field(default_factory=Connection)  # resolved from the above and the config

    @property
    def wait(self) -> bool:
        return not self.no_wait


# a verb that runs on the machines of an inventory


def shared(*groups: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the shared options of `groups` to a verb's Typer signature; the verb gets them as one
    `opts: Options` (its connection resolved: -K asks for the password once, before any run)."""

    def decorate(verb: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for p in inspect.signature(verb).parameters.values() if p.name != "opts"]
        rows = [row for row in SHARED if row[3] is None or row[3] in groups]
        added = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d, _g in rows]

        @functools.wraps(verb)
        def wrapper(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name, *_ in rows}
            opts = Options(**{"json" if k == "json_out" else k: v for k, v in given.items()})
            if opts.lang:  # before anything is said (the connection's errors too); else the locale's, set already
                use_language(opts.lang)
            report.configure(quiet=opts.quiet)
            if "connect" in groups:
                opts.connection = connection(
                    opts.inventory,
                    opts.limit,
                    opts.become,
                    opts.ask_become_pass,
                    opts.forks,
                    opts.private_key,
                    opts.verbose,
                    opts.debug,
                    opts.lab_user,
                    opts.ask_pass,
                    opts.remote_user,
                )
            try:
                return verb(**kwargs, opts=opts)
            except Outcome as done:  # the results are shown; the exit code is what is left
                raise typer.Exit(done.exit_code) from None

        wrapper.__signature__ = inspect.Signature([*own, *added])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
        return wrapper

    return decorate
