"""How labctl reaches the machines of a run, and the defaults a trainer sets once.

Precedence, highest first: a command-line flag, a LABCTL_* environment variable, the user's config
file (~/.config/labctl/config.toml, or $XDG_CONFIG_HOME/labctl/config.toml), the system's
(/etc/labctl/config.toml). A config file holds top-level keys only:

    inventory = "/srv/class/room.ini"
    become = true
    forks = 30
    private_key = "~/.ssh/room_ed25519"
    lang = "de"
    lab_user = "student07"        # whose rootless store holds the lab (a room machine's, written by host setup)
    lab_port_offset = "auto"      # or a number: this account's lab moves every host port up by it
    scenarios = ["ex1", "ex2"]    # the exercises of this course (list, verify --all)
    accept_new_host_keys = true   # SSH records a machine's key on first contact (StrictHostKeyChecking=accept-new)

`labctl host setup --install-labctl WHEELHOUSE` writes the machine's /etc/labctl/config.toml: the lab
user, the port offset and the scenarios, so that a student's own `labctl verify ex2` there grades the
same store with the same ports as the trainer's class matrix.
"""

import os
import pwd
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import N_, _, ngettext

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
    "lab_user": ("LABCTL_LAB_USER", str),  # whose rootless store holds the lab (issue 19)
    "lab_port_offset": ("LABCTL_PORT_OFFSET", "offset"),  # a number from 0, or "auto" (a step per lab user)
    "scenarios": ("LABCTL_SCENARIOS", list),  # the course's exercises on this machine (env: comma-separated)
    "accept_new_host_keys": ("LABCTL_ACCEPT_NEW_HOST_KEYS", bool),  # ssh's StrictHostKeyChecking=accept-new
}
USER_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")  # an account name as useradd takes it
SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


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
    lab_user: str | None = None  # whose rootless store holds the lab (--lab-user; the inventory's lab_user else)
    ssh_password: str | None = field(default=None, repr=False)  # -k: in memory only, like the become password
    port_offset: int | None = None  # this machine's lab_port_offset (a local run; auto resolved)
    accept_new_host_keys: bool = False
    remote_user: str | None = None  # -u/--user: the SSH user, as Ansible means it

    @property
    def remote(self) -> bool:
        return self.inventory is not None or bool(self.limit)


def user_config() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "labctl" / "config.toml"


WANTED = {bool: N_("true or false"), int: N_("a whole number above 0"), str: N_("a non-empty string")}


def _typed(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key][1]
    if kind == "offset":
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        if isinstance(value, str) and value.strip().isdecimal():
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 50000:
            return value
        raise LabctlError(
            _("{key} in {where} is {value!r}, but must be a whole number from 0 to 50000 or auto; correct it.").format(
                key=key, where=where, value=value
            ),
            ExitCode.USAGE,
        )
    if kind is list:
        items = [s.strip() for s in value.split(",")] if isinstance(value, str) else value
        if isinstance(items, list) and items and all(isinstance(i, str) and SCENARIO_ID.match(i) for i in items):
            return items
        raise LabctlError(
            _(
                "{key} in {where} is {value!r}, but must be a list of scenario ids such as ['ex1', 'ex2']; correct it."
            ).format(key=key, where=where, value=value),
            ExitCode.USAGE,
        )
    if key == "lab_user" and not (isinstance(value, str) and USER_NAME.match(value)):
        raise LabctlError(
            _("{key} in {where} is {value!r}, but must be an account name; correct it.").format(
                key=key, where=where, value=value
            ),
            ExitCode.USAGE,
        )
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            return value.lower() in ("1", "true", "yes", "on")
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.isdecimal() and int(value) > 0:
            return int(value)
    elif isinstance(value, str) and value:
        return value
    wanted = _(WANTED[kind])
    raise LabctlError(
        _("{key} in {where} is {value!r}, but must be {wanted}; correct it.").format(
            key=key, where=where, value=value, wanted=wanted
        ),
        ExitCode.USAGE,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LabctlError(
            _("Config file {path} cannot be read ({problem}); correct or remove it.").format(path=path, problem=exc),
            ExitCode.USAGE,
        ) from exc
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise LabctlError(
            ngettext(
                "Config file {path} has unknown key(s) {keys}; it takes {known}.",
                "Config file {path} has unknown key(s) {keys}; it takes {known}.",
                len(unknown),
            ).format(path=path, keys=", ".join(unknown), known=", ".join(KEYS)),
            ExitCode.USAGE,
        )
    return {key: _typed(key, value, str(path)) for key, value in data.items()}


def defaults(env: dict[str, str] | None = None, files: tuple[Path, ...] | None = None) -> dict[str, Any]:
    """The settings from the environment and the config files (flags come on top): env > user > system."""
    env = os.environ if env is None else env
    files = (SYSTEM_CONFIG, user_config()) if files is None else files
    merged: dict[str, Any] = {}
    for path in files:  # lowest first: a later file wins
        merged.update(_read(path))
    for key, (name, _kind) in KEYS.items():
        if env.get(name, "") != "":
            merged[key] = _typed(key, env[name], _("the environment variable {name}").format(name=name))
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
    lab_user: str | None = None,
    ssh_password: str | None = None,
    remote_user: str | None = None,
    env: dict[str, str] | None = None,
    files: tuple[Path, ...] | None = None,
) -> Connection:
    """Flags (None: not given) over the defaults."""
    base = defaults(env, files)
    if lab_user is not None:
        _typed("lab_user", lab_user, "--lab-user")
    given = {"inventory": inventory, "limit": limit, "become": become, "forks": forks, "private_key": private_key}
    settled = {key: value if value is not None else base.get(key) for key, value in given.items()}
    if become is None and not settled["inventory"]:
        settled["become"] = False  # a default become is for the room; this machine runs as labctl's user
    if settled["forks"] is not None and settled["forks"] < 1:
        raise LabctlError(_("--forks {forks} must be at least 1.").format(forks=settled["forks"]), ExitCode.USAGE)
    key = settled["private_key"]
    if key:
        path = Path(key).expanduser()
        if not path.is_file():
            raise LabctlError(
                _("Private key {key} does not exist; give the path of an SSH private key.").format(key=key),
                ExitCode.USAGE,
            )
        key = str(path.absolute())
    remote = bool(settled["inventory"] or settled["limit"])
    # A room's hosts name their own lab_user in the inventory: the environment and the config files (a
    # room machine's /etc/labctl/config.toml names its student) speak for this machine alone. Passed to
    # Ansible as an extra var, they would override every host's lab_user.
    user = lab_user or (None if remote else base.get("lab_user"))
    if not remote and user == own_name():
        user = None  # this machine, as the lab user: their own store, no become
    # The machine's own offset counts for a run on this machine; a room's hosts have theirs in the inventory.
    offset = None if remote else base.get("lab_port_offset")
    if offset == "auto":
        offset = auto_offset(user)
    return Connection(
        inventory=settled["inventory"],
        limit=settled["limit"],
        become=bool(settled["become"]),
        become_password=become_password,
        forks=settled["forks"] or DEFAULT_FORKS,
        private_key=key,
        verbosity=verbosity,
        lab_user=user,
        ssh_password=ssh_password,
        port_offset=offset,
        accept_new_host_keys=bool(base.get("accept_new_host_keys", False)),
        remote_user=remote_user,
    )


def own_name() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return ""


def auto_offset(user: str | None) -> int:
    """`lab_port_offset = "auto"` on this machine: the lab user's step (labctl.lab's lab_store), or this account's."""
    from ansible_collections.labctl.lab.plugins.module_utils import lab_store

    try:
        uid = pwd.getpwnam(user).pw_uid if user else os.geteuid()
    except KeyError as exc:
        raise LabctlError(
            _("lab_user {user}: there is no such user on this machine.").format(user=user), ExitCode.USAGE
        ) from exc
    return lab_store.auto_offset(uid)
