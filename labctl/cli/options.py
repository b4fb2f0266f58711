"""Options shared by several verbs."""

import getpass
from pathlib import Path
from typing import Annotated

import typer

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.scenarios import SCENARIO_PATH_ENV, Scenario

ScenarioId = Annotated[
    str, typer.Argument(metavar="SCENARIO", help="Scenario id, e.g. ex1 (see `labctl list`).", show_default=False)
]
Json = Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show each task and keep details of errors.")]
Inventory = Annotated[
    str | None,
    typer.Option("--inventory", "-i", help="Ansible inventory of lab machines (default: this machine)."),
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
            raise LabctlError(f"--var {pair!r} must look like NAME=VALUE.", ExitCode.USAGE)
        if name in from_file:
            raise LabctlError(
                f"--var {name}: the exercise's names, ports and images come from its scenario file "
                f"{scenario.source} (key {name.removeprefix(scenario.role + '_')}); copy that file into a folder "
                f"on {SCENARIO_PATH_ENV} under a new id to change them.",
                ExitCode.USAGE,
            )
        spec = options.get(name)
        if spec is None or name.startswith("lab_") or not name.startswith(f"{scenario.role}_"):
            settable = ", ".join(n for n in options if n.startswith(f"{scenario.role}_") and n not in from_file)
            raise LabctlError(
                f"--var {name}: role {scenario.role} has no such variable; it takes {settable or 'none'}.",
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
            raise LabctlError(f"--var {name}=? needs a terminal to ask on; use {name}=@FILE.", ExitCode.USAGE) from exc
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            return path.read_text(encoding="utf-8").removesuffix("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise LabctlError(f"--var {name}: cannot read {path} ({exc}).", ExitCode.USAGE) from exc
    return value


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
        article = "an" if kind == "int" else "a"
        raise LabctlError(f"--var {name}: {value!r} is not {article} {kind}.", ExitCode.USAGE) from None
    if kind != "str":
        raise LabctlError(f"--var {name}: a {kind} cannot be set on the command line.", ExitCode.USAGE)
    return value
