#!/usr/bin/python
"""Read Podman's containers.conf files as Podman 4.3 does, and work out what labctl's drop-in must say."""

DOCUMENTATION = r"""
module: host_containers_conf
short_description: Podman's containers.conf chain, whose files labctl's names hold, and what labctl's drop-in needs
description:
  - Lists the containers.conf files Podman 4.3 (containers/common 0.50) reads, in its order
    (/usr/share/containers/containers.conf, /etc/containers/containers.conf,
    /etc/containers/containers.conf.d/*.conf sorted, then for a normal user the same under
    $XDG_CONFIG_HOME/containers); each file's keys replace the same keys of the files before it,
    a list such as default_ulimits as a whole.
  - Tells whether labctl's drop-in, and the drop-ins older labctl versions wrote, exist and carry
    labctl's header, so that labctl never changes a file it did not write.
  - Given what this host needs (a runtime, ulimit ceilings), works out the settings of labctl's
    drop-in, merged with what the other files configure; changes nothing.
options:
  dropin: {type: path, required: true, description: labctl's drop-in.}
  marker: {type: str, required: true, description: First line of every drop-in labctl writes.}
  legacy: {type: list, elements: path, default: [], description: Drop-ins older labctl versions wrote.}
  legacy_marker: {type: str, default: "", description: A line found near the top of those.}
  runtime: {type: str, default: "", description: The OCI runtime this host needs ("" = any).}
  runtime_default: {type: str, default: "", description: The runtime Podman takes when none is configured.}
  ceilings:
    type: dict
    default: {}
    description: Highest hard limit a container may get, by ulimit name (nofile, nproc); {} = no ceiling.
  defaults: {type: dict, default: {}, description: Podman's built-in ulimits, by name, used when none is configured.}
author: labctl developers
"""

RETURN = r"""
files: {description: The containers.conf files Podman reads here, in order., returned: always, type: list}
own:
  description: "labctl's drop-in: path, exists, labctl (carries labctl's header)."
  returned: always
  type: dict
legacy: {description: Older labctl drop-ins that exist, each with path and labctl., returned: always, type: list}
configured:
  description: runtime and default_ulimits as the files other than labctl's set them, each with value and file.
  returned: always
  type: dict
settings:
  description: "What labctl's drop-in must set: runtime, default_ulimits, notes ([] and '' = nothing)."
  returned: always
  type: dict
overridden_by:
  description: Files read after labctl's drop-in that set runtime or default_ulimits.
  returned: always
  type: list
unreadable: {description: Files that are not valid TOML (when nothing is merged)., returned: always, type: list}
"""

# Ansible modules put their DOCUMENTATION strings before the imports, by convention.
import contextlib
import os
import re

from ansible.module_utils.basic import AnsibleModule

try:
    import tomllib
except ImportError:  # Python 3.10: the two keys labctl needs are read by hand
    tomllib = None

SHARE_DIR, ETC_DIR = "/usr/share/containers", "/etc/containers"
KEYS = {("containers", "default_ulimits"), ("engine", "runtime")}
UNLIMITED = -1


def user_config_dir(euid, environ):
    """A normal user's containers.conf folder; None for root, whom Podman 4.3 gives none."""
    if euid == 0:
        return None
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    return os.path.join(base, "containers")


def dropins(folder, extra=None):
    """A .d folder's *.conf files in Podman's order (sorted by name), with extra placed where it would sort."""
    names = set()
    with contextlib.suppress(OSError):
        names = {n for n in os.listdir(folder) if n.endswith(".conf") and os.path.isfile(os.path.join(folder, n))}
    if extra and os.path.dirname(extra) == folder:
        names.add(os.path.basename(extra))
    return [os.path.join(folder, n) for n in sorted(names)]


def chain(euid, environ, own=None, share=SHARE_DIR, etc=ETC_DIR):
    """The files Podman 4.3 reads, in order; own is listed where it sorts, existing or not."""
    if environ.get("CONTAINERS_CONF"):  # then Podman reads that one file only
        return [environ["CONTAINERS_CONF"]]
    files = [f for f in (f"{share}/containers.conf", f"{etc}/containers.conf") if os.path.isfile(f)]
    files += dropins(f"{etc}/containers.conf.d", own)
    user = user_config_dir(euid, environ)
    if user:
        mine = os.path.join(user, "containers.conf")
        files += [mine] if os.path.isfile(mine) else []
        files += dropins(os.path.join(user, "containers.conf.d"), own)
    return files


def _strings(text):
    return [m.group(1) or m.group(2) for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'', text)]


def _strip_comment(line):
    """The line without its # comment, a # inside quotes kept."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i]
    return line


def parse_keys(text):
    """runtime and default_ulimits of one file, {(table, key): value}; tomllib when there is one."""
    if tomllib is not None:
        data = tomllib.loads(text)
        return {(t, k): data[t][k] for t, k in KEYS if isinstance(data.get(t), dict) and k in data[t]}
    found, table, pending = {}, "", None
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if pending is not None:
            pending[1] += " " + line
            if "]" in line:
                found[pending[0]] = _strings(pending[1])
                pending = None
            continue
        header = re.match(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if header:
            table = header.group(1)
            continue
        assign = re.match(r"^([A-Za-z0-9_\-]+)\s*=\s*(.*)$", line)
        if not assign or (table, assign.group(1)) not in KEYS:
            continue
        key, value = (table, assign.group(1)), assign.group(2)
        if value.startswith("["):
            if "]" in value:
                found[key] = _strings(value)
            else:
                pending = [key, value]
        else:
            strings = _strings(value)
            found[key] = strings[0] if strings else ""
    return found


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def labctl_wrote(path, marker, legacy_marker=""):
    """Whether the file carries labctl's header: its first line, or (older versions) one of its first lines."""
    try:
        head = read(path).splitlines()[:3]
    except (OSError, UnicodeDecodeError):
        return False
    if head and head[0].startswith(marker):
        return True
    return bool(legacy_marker) and any(legacy_marker in line for line in head)


def parse_ulimit(entry):
    """'nofile=1024:2048' -> ('nofile', 1024, 2048); a single value is soft and hard; -1 is unlimited."""
    name, _, value = entry.partition("=")
    soft, _, hard = value.partition(":")
    soft = int(soft)
    return name.strip(), soft, int(hard) if hard else soft


def _above(value, ceiling):
    return ceiling != UNLIMITED and (value == UNLIMITED or value > ceiling)


def merge_ulimits(configured, ceilings, defaults):
    """default_ulimits within the ceilings, keeping every configured entry that fits; ([], []) when none needs changing.

    Podman 4.3 replaces the whole list with a later file's, so labctl's drop-in must repeat what the
    files before it configure. A name not configured gets Podman's built-in default, which only
    needs a line of its own when it is above the ceiling.
    """
    merged, notes, changed, seen = [], [], False, set()
    for entry in configured:
        try:
            name, soft, hard = parse_ulimit(entry)
        except ValueError:  # not labctl's to judge: Podman says what is wrong with it
            merged.append(entry)
            continue
        seen.add(name)
        ceiling = ceilings.get(name, UNLIMITED)
        if _above(hard, ceiling) or _above(soft, ceiling):
            new_hard = ceiling if _above(hard, ceiling) else hard
            new_soft = ceiling if _above(soft, ceiling) else soft
            merged.append(f"{name}={new_soft}:{new_hard}")
            notes.append(f"{name} lowered from {entry.split('=', 1)[1]} to the hard limit {ceiling}")
            changed = True
        else:
            merged.append(entry)
    for name, default in defaults.items():
        ceiling = ceilings.get(name, UNLIMITED)
        if name not in seen and _above(default, ceiling):
            merged.append(f"{name}={ceiling}:{ceiling}")
            notes.append(f"{name}={ceiling}:{ceiling}, below Podman's default {default}")
            changed = True
    if not changed:
        return [], []
    kept = [e for e in configured if e in merged]
    if kept:
        notes.append("kept " + ", ".join(kept))
    return merged, notes


def look(params, euid, environ, **dirs):
    own = params["dropin"]
    legacy_paths = set(params["legacy"])
    files = chain(euid, environ, own, **dirs)
    merging = bool(params["runtime"] or params["ceilings"])
    configured, overridden_by, unreadable, after_own = {}, [], [], False
    for path in files:
        if path == own:
            after_own = True
            continue
        if path in legacy_paths and labctl_wrote(path, params["marker"], params["legacy_marker"]):
            continue  # labctl's own, older settings: not the admin's to keep
        if not os.path.isfile(path):
            continue
        try:
            keys = parse_keys(read(path))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            if merging:  # labctl cannot merge with what it cannot read
                raise ValueError(f"{path} is not valid TOML ({exc}), so Podman cannot read it either") from exc
            unreadable.append(path)
            continue
        for (_table, key), value in keys.items():
            if after_own:
                overridden_by.append(f"{path} ({key})")
            else:
                configured[key] = {"value": value, "file": path}
    ulimits = list(configured.get("default_ulimits", {}).get("value") or [])
    runtime_now = configured.get("runtime", {}).get("value") or ""
    merged, notes = merge_ulimits(ulimits, params["ceilings"] or {}, params["defaults"] or {})
    effective = runtime_now or params["runtime_default"]
    runtime = params["runtime"] if params["runtime"] and params["runtime"] != effective else ""
    if runtime and runtime_now:
        notes.append(f"runtime {runtime_now} of {configured['runtime']['file']} replaced")
    return {
        "files": [f for f in files if os.path.isfile(f)],
        "own": {"path": own, "exists": os.path.isfile(own), "labctl": labctl_wrote(own, params["marker"])},
        "legacy": [
            {"path": p, "labctl": labctl_wrote(p, params["marker"], params["legacy_marker"])}
            for p in params["legacy"]
            if os.path.isfile(p)
        ],
        "configured": configured,
        "settings": {"runtime": runtime, "default_ulimits": merged, "notes": notes},
        "overridden_by": overridden_by,
        "unreadable": unreadable,
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "dropin": {"type": "path", "required": True},
            "marker": {"type": "str", "required": True},
            "legacy": {"type": "list", "elements": "path", "default": []},
            "legacy_marker": {"type": "str", "default": ""},
            "runtime": {"type": "str", "default": ""},
            "runtime_default": {"type": "str", "default": ""},
            "ceilings": {"type": "dict", "default": {}},
            "defaults": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    params = dict(module.params)
    for name in ("ceilings", "defaults"):
        try:
            params[name] = {k: int(v) for k, v in (params[name] or {}).items()}
        except (TypeError, ValueError):
            module.fail_json(msg=f"{name} must map ulimit names to numbers, got {params[name]!r}")
    try:
        result = look(params, os.geteuid(), os.environ)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
