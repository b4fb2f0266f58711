"""The machines a run works on: this one, or an Ansible inventory given with -i, checked before the run.

The check runs `ansible-inventory` (from labctl's own Ansible) in a separate process, from `/` and
with labctl's Ansible settings: an ansible.cfg in the folder labctl was started from is never read.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _


@dataclass(frozen=True)
class Inventory:
    source: str | dict[str, Any]  # what ansible-runner gets: an absolute path, or the local inventory
    hosts: list[str]  # the hosts the run works on (--limit applied)
    students: dict[str, str] = field(default_factory=dict, compare=False)  # host -> its lab_student variable


def local_inventory() -> dict[str, Any]:
    """This machine, with labctl's own Python (it has the modules' libraries)."""
    return {
        "all": {"hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}
    }


def _hosts(listing: dict[str, Any]) -> list[str]:
    """Every host of an `ansible-inventory --list`, in the order they first appear."""
    seen: dict[str, None] = {}
    for name, group in listing.items():
        if name != "_meta" and isinstance(group, dict):
            seen.update(dict.fromkeys(group.get("hosts") or []))
    seen.update(dict.fromkeys(listing.get("_meta", {}).get("hostvars", {})))
    return list(seen)


STUDENT_VAR = "lab_student"  # who works on a machine of the class: "Anna Schmidt"


def _students(listing: dict[str, Any]) -> dict[str, str]:
    """The name of each host's student (its lab_student variable, a string), where the inventory gives one."""
    hostvars = listing.get("_meta", {}).get("hostvars", {})
    names = {}
    for host, variables in hostvars.items():
        value = variables.get(STUDENT_VAR) if isinstance(variables, dict) else None
        if isinstance(value, (str, int, float)) and str(value).strip():
            names[host] = " ".join(str(value).split())[:200]
    return names


def _reason(stderr: str) -> str:
    """What Ansible said was wrong with an inventory, in one line."""
    for pattern in (r"Failed to parse inventory with '[^']+' plugin: (.+)", r"\[ERROR\]: (.+)"):
        found = re.search(pattern, stderr)
        if found:
            return found.group(1).strip().rstrip(".")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1].rstrip(".") if lines else _("Ansible could not read it")


def _list(source: str, name: str, limit: str | None, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    bindir = Path(sys.executable).parent
    command = [str(bindir / "ansible-inventory"), "-i", source, "--list", *(["--limit", limit] if limit else [])]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd="/",
            env={**os.environ, **env, "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "True"},
            timeout=120,
        )
    except subprocess.TimeoutExpired as exc:
        raise LabctlError(
            _("Reading inventory {name} took over 2 minutes; check it.").format(name=name), ExitCode.USAGE
        ) from exc
    if proc.returncode != 0:
        raise LabctlError(
            _("Inventory {name} cannot be read: {reason}; check it with `ansible-inventory -i {name} --list`.").format(
                name=name, reason=_reason(proc.stderr)
            ),
            ExitCode.USAGE,
        )
    try:
        listing = json.loads(proc.stdout)
        return _hosts(listing), _students(listing)
    except ValueError as exc:
        raise LabctlError(
            _("Inventory {name} cannot be read: ansible-inventory gave no JSON.").format(name=name), ExitCode.USAGE
        ) from exc


def resolve(inventory: str | None, limit: str | None, env: dict[str, str]) -> Inventory:
    """The inventory and hosts of a run; any problem with -i or --limit is one sentence and exit code 2."""
    if inventory is None and not limit:
        return Inventory(local_inventory(), ["localhost"])
    if inventory is None:
        with tempfile.TemporaryDirectory(prefix="labctl-inventory-") as tmp:
            local = Path(tmp) / "local.json"
            local.write_text(json.dumps(local_inventory()))
            return _limited(local_inventory(), str(local), _("this machine's inventory"), limit, env)
    path = Path(inventory).expanduser()
    if not path.exists():
        raise LabctlError(_("Inventory file {file} does not exist.").format(file=inventory), ExitCode.USAGE)
    source = str(path.absolute())
    return _limited(source, source, inventory, limit, env)


def _limited(source: str | dict[str, Any], path: str, name: str, limit: str | None, env: dict[str, str]) -> Inventory:
    hosts, students = _list(path, name, limit, env)
    if hosts:
        return Inventory(source, hosts, {h: s for h, s in students.items() if h in hosts})
    everyone = _list(path, name, None, env)[0] if limit else []
    if not everyone:
        raise LabctlError(
            _("Inventory {name} has no hosts; add the lab machines to it.").format(name=name), ExitCode.USAGE
        )
    raise LabctlError(
        _("--limit {limit} matches no host of {name}; hosts are: {hosts}.").format(
            limit=limit, name=name, hosts=", ".join(everyone)
        ),
        ExitCode.USAGE,
    )
