"""How labctl reaches the machines of a run, and the defaults a trainer sets once.

Precedence, highest first: a command-line flag, a LABCTL_* environment variable, the user's config
file (~/.config/labctl/config.toml, or $XDG_CONFIG_HOME/labctl/config.toml), the system's
(/etc/labctl/config.toml). A config file holds top-level keys only:

    inventory = "/srv/class/room.ini"
    become = true
    forks = 30
    private_key = "~/.ssh/room_ed25519"
    lang = "de"
"""

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from labctl.core.errors import ExitCode, LabctlError

DEFAULT_FORKS = 30  # a room of 30 machines at once
SYSTEM_CONFIG = Path("/etc/labctl/config.toml")

# key -> (environment variable, type)
KEYS: dict[str, tuple[str, type]] = {
    "inventory": ("LABCTL_INVENTORY", str),
    "limit": ("LABCTL_LIMIT", str),
    "become": ("LABCTL_BECOME", bool),
    "forks": ("LABCTL_FORKS", int),
    "private_key": ("LABCTL_PRIVATE_KEY", str),
    "lang": ("LABCTL_LANG", str),  # en or de (labctl.core.i18n): over LC_ALL/LC_MESSAGES/LANG, under --lang
}


@dataclass(frozen=True)
class Connection:
    """What every run needs to reach its machines. The become password lives only here, in memory."""

    inventory: str | None = None
    limit: str | None = None
    become: bool = False
    become_password: str | None = field(default=None, repr=False)
    forks: int = DEFAULT_FORKS
    private_key: str | None = None
    verbosity: int = 0

    @property
    def remote(self) -> bool:
        return self.inventory is not None or bool(self.limit)


def user_config() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "labctl" / "config.toml"


def _typed(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key][1]
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            return value.lower() in ("1", "true", "yes", "on")
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return int(value)
    elif isinstance(value, str) and value:
        return value
    wanted = {bool: "true or false", int: "a whole number above 0", str: "a non-empty string"}[kind]
    raise LabctlError(f"{key} in {where} is {value!r}, but must be {wanted}; correct it.", ExitCode.USAGE)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LabctlError(f"Config file {path} cannot be read ({exc}); correct or remove it.", ExitCode.USAGE) from exc
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise LabctlError(
            f"Config file {path} has unknown key(s) {', '.join(unknown)}; it takes {', '.join(KEYS)}.", ExitCode.USAGE
        )
    return {key: _typed(key, value, str(path)) for key, value in data.items()}


def defaults(env: dict[str, str] | None = None, files: tuple[Path, ...] | None = None) -> dict[str, Any]:
    """The settings from the environment and the config files (flags come on top): env > user > system."""
    env = os.environ if env is None else env
    files = (SYSTEM_CONFIG, user_config()) if files is None else files
    merged: dict[str, Any] = {}
    for path in files:  # lowest first: a later file wins
        merged.update(_read(path))
    for key, (name, _) in KEYS.items():
        if env.get(name, "") != "":
            merged[key] = _typed(key, env[name], f"the environment variable {name}")
    return merged


def connection(
    *,
    inventory: str | None = None,
    limit: str | None = None,
    become: bool | None = None,
    become_password: str | None = None,
    forks: int | None = None,
    private_key: str | None = None,
    verbosity: int = 0,
    env: dict[str, str] | None = None,
    files: tuple[Path, ...] | None = None,
) -> Connection:
    """Flags (None: not given) over the defaults."""
    base = defaults(env, files)
    given = {"inventory": inventory, "limit": limit, "become": become, "forks": forks, "private_key": private_key}
    settled = {key: value if value is not None else base.get(key) for key, value in given.items()}
    if become is None and not settled["inventory"]:
        settled["become"] = False  # a default become is for the room; this machine runs as labctl's user
    if settled["forks"] is not None and settled["forks"] < 1:
        raise LabctlError(f"--forks {settled['forks']} must be at least 1.", ExitCode.USAGE)
    key = settled["private_key"]
    if key:
        path = Path(key).expanduser()
        if not path.is_file():
            raise LabctlError(f"Private key {key} does not exist; give the path of an SSH private key.", ExitCode.USAGE)
        key = str(path.absolute())
    return Connection(
        inventory=settled["inventory"],
        limit=settled["limit"],
        become=bool(settled["become"]),
        become_password=become_password,
        forks=settled["forks"] or DEFAULT_FORKS,
        private_key=key,
        verbosity=verbosity,
    )
