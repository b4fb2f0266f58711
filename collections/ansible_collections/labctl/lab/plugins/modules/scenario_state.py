#!/usr/bin/python
"""Remember what a scenario's last successful `up` produced, and tell cheaply whether it is still so."""

DOCUMENTATION = r"""
module: scenario_state
short_description: Fast path for a second labctl up
description:
  - C(record) writes, after a successful up, the IDs of the scenario's resources and the hash of
    the content that produced them.
  - C(probe) looks once at Podman's state (one listing per kind of resource) and reports
    C(in_place) when the same content produced resources that are all still there, with the same
    IDs, running and not unhealthy. Then the full provisioning run can be skipped.
  - C(forget) removes the record (after clean).
options:
  state: {type: str, choices: [probe, record, forget], default: probe, description: What to do.}
  scenario: {type: str, required: true, description: The scenario id.}
  content_hash: {type: str, default: "", description: Hash of the scenario file, role and overrides.}
  resources:
    type: dict
    default: {}
    description: The scenario's resources by kind (networks, pods, containers, volumes), by name.
  state_dir:
    type: path
    description: Where records live; default /var/lib/labctl/scenarios for root, else under XDG_STATE_HOME.
author: labctl developers
"""

RETURN = r"""
in_place: {description: True when nothing needs doing., returned: probe, type: bool}
reason: {description: Why the scenario is not in place., returned: probe, type: str}
ids: {description: Resource IDs by kind and name., returned: always, type: dict}
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

KINDS = {
    # kind: (listing command, how its JSON names an object)
    "containers": (["ps", "-a"], "Names"),
    "pods": (["pod", "ps"], "Name"),
    "networks": (["network", "ls"], "name"),
    "volumes": (["volume", "ls"], "Name"),
}


def default_state_dir():
    if os.geteuid() == 0:
        return "/var/lib/labctl/scenarios"
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "labctl", "scenarios")


def _name(item, key):
    value = item.get(key)
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def look(module, resources):
    """One listing per kind; returns {kind: {name: object}} for the wanted names."""
    podman = module.get_bin_path("podman")
    found = {}
    if not podman:  # the host role's preflight says what to do about it
        return found
    for kind, names in resources.items():
        if not names or kind not in KINDS:
            continue
        args, key = KINDS[kind]
        regex = "^(" + "|".join(names) + ")$"
        cmd = [podman, *args, "--format", "json", "--filter", f"name={regex}"]
        rc, out, err = module.run_command(cmd)
        if rc != 0:
            module.fail_json(msg=f"podman {' '.join(args)} failed: {err.strip()}")
        items = json.loads(out or "[]") or []
        found[kind] = {_name(i, key): i for i in items if _name(i, key) in names}
    return found


def object_id(kind, item):
    # Volumes have no ID: their creation time tells a re-created one from the old.
    if kind == "volumes":
        return f"{item.get('Name', '')}@{item.get('CreatedAt', '')}"
    return item.get("Id") or item.get("ID") or item.get("id") or ""


def not_running(kind, item):
    if kind == "containers":
        if item.get("State") != "running":
            return f"is {item.get('State', 'not running')}"
        if "(unhealthy)" in str(item.get("Status", "")):
            return "is unhealthy"
    if kind == "pods" and item.get("Status") != "Running":
        return f"is {str(item.get('Status', 'not running')).lower()}"
    return ""


def main():
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "choices": ["probe", "record", "forget"], "default": "probe"},
            "scenario": {"type": "str", "required": True},
            "content_hash": {"type": "str", "default": ""},
            "resources": {"type": "dict", "default": {}},
            "state_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    p = module.params
    path = os.path.join(p["state_dir"] or default_state_dir(), f"{p['scenario']}.json")
    resources = {k: list(v or []) for k, v in p["resources"].items()}

    if p["state"] == "forget":
        existed = os.path.exists(path)
        if existed and not module.check_mode:
            os.unlink(path)
        module.exit_json(changed=existed, ids={})

    found = look(module, resources)
    ids = {kind: {name: object_id(kind, item) for name, item in objs.items()} for kind, objs in found.items()}

    if p["state"] == "record":
        record = {"content_hash": p["content_hash"], "ids": ids}
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        try:
            with open(path, encoding="utf-8") as handle:
                old = handle.read()
        except OSError:
            old = None
        changed = old != text
        if changed and not module.check_mode:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        module.exit_json(changed=changed, ids=ids)

    reason = why_not_in_place(path, p["content_hash"], resources, found)
    module.exit_json(
        changed=False,
        in_place=not reason,
        reason=reason,
        ids=ids,
        labctl_report={"in_place": not reason, "not_in_place_because": reason},
    )


def why_not_in_place(path, content_hash, resources, found):
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return "no record of an earlier up"
    if not content_hash or record.get("content_hash") != content_hash:
        return "the scenario's content changed since the last up"
    for kind, names in resources.items():
        for name in names:
            item = found.get(kind, {}).get(name)
            if item is None:
                return f"{kind[:-1]} {name} is missing"
            if record.get("ids", {}).get(kind, {}).get(name) != object_id(kind, item):
                return f"{kind[:-1]} {name} was replaced"
            problem = not_running(kind, item)
            if problem:
                return f"{kind[:-1]} {name} {problem}"
    return ""


if __name__ == "__main__":
    main()
