#!/usr/bin/python
"""Remember what a scenario's last successful `up` left, and tell cheaply whether it is still so.

A quick second `up` must not say "in place" while `verify` would fail, so the record holds a
fingerprint per resource of what `verify` looks at and a listing shows, and the probe compares.
"""

DOCUMENTATION = r"""
module: scenario_state
short_description: Fast path for a second labctl up
description:
  - C(record) writes, after a successful up, the hash of the content that produced the scenario
    and a fingerprint of each of its resources; containers (ID, image ID, networks, published
    ports, mounts with their named volumes, pod), pods (ID, networks, port bindings, shared
    namespaces), networks (ID, DNS) and volumes (name and creation time).
  - C(probe) looks once at Podman's state (one listing per kind of resource; the pods' infra
    containers, which publish the pods' ports, come with the containers) and reports C(in_place)
    when the same content produced resources whose fingerprints are unchanged, with every container
    running and not unhealthy and every pod Running. Then the full provisioning run can be skipped.
    Otherwise C(reason) says, in one sentence, the first thing that differs.
  - With O(guard), the same look is also up's ownership guard - when the lab is not in place, it fails
    (with C(labctl_exit_code=3)) if a container, pod, volume or secret of the exercise's names exists
    that labctl did not make (no label C(io.labctl.managed=true)), since up would replace it; O(force)
    lets up go on. A network of the name is used as it is, so it is not guarded.
  - C(forget) removes the record (labctl.lab.scenario_clean does it too, when cleaning).
options:
  state: {type: str, choices: [probe, record, forget], default: probe, description: What to do.}
  scenario: {type: str, required: true, description: The scenario id.}
  content_hash: {type: str, default: "", description: "Hash of the scenario file, role and overrides."}
  compare:
    type: bool
    default: true
    description: With C(probe), compare with the record (false when labctl has compared already, or no hash is given).
  guard: {type: bool, default: false, description: With C(probe), stop before up replaces what labctl did not make.}
  force: {type: bool, default: false, description: With O(guard), only report what labctl did not make.}
  resources:
    type: dict
    default: {}
    description: The scenario's resources by kind (networks, pods, containers, volumes), by name.
  state_dir:
    type: path
    description: Where records live; default /var/lib/labctl/scenarios for root, else ~/.local/state/labctl/scenarios.
author: labctl developers
"""

RETURN = r"""
in_place: {description: True when nothing needs doing., returned: probe, type: bool}
not_made_by_labctl:
  description: The names labctl did not make, as "kind name".
  returned: probe with guard
  type: list
reason: {description: Why the scenario is not in place (one sentence)., returned: probe, type: str}
recorded: {description: "True when an up of the scenario finished on this store.", returned: probe, type: bool}
ids: {description: Resource IDs by kind and name., returned: always, type: dict}
labctl_report:
  description: in_place and not_in_place_because, for labctl's report.
  returned: probe with compare
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import ownership, reasons, records
from ansible_collections.labctl.lab.plugins.module_utils.fingerprints import (
    PodmanError,
    fingerprints,
    inspect,
    look,
    make_record,
    read_record,
    why_not_in_place,
    write_atomically,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "choices": ["probe", "record", "forget"], "default": "probe"},
            "scenario": {"type": "str", "required": True},
            "content_hash": {"type": "str", "default": ""},
            "resources": {"type": "dict", "default": {}},
            "state_dir": {"type": "path"},
            "compare": {"type": "bool", "default": True},
            "guard": {"type": "bool", "default": False},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    p = module.params
    path = records.record_path(p["scenario"], p["state_dir"])
    resources = {k: list(v or []) for k, v in p["resources"].items()}

    if p["state"] == "forget":
        module.exit_json(changed=records.forget(path, module.check_mode), ids={})

    podman = module.get_bin_path("podman")
    run = (lambda argv: module.run_command([podman, *argv[1:]])) if podman else None
    try:
        _main(module, p, path, resources, run)
    except PodmanError as exc:
        module.fail_json(msg=str(exc))


def _main(module, p, path, resources, run):
    found = look(run, resources)
    live = fingerprints(found, resources)
    ids = {kind: {name: fp["id"] for name, fp in fps.items() if fp} for kind, fps in live.items()}

    if p["state"] == "record":
        record = make_record(p["content_hash"], fingerprints(found, resources, inspect(run, found, resources)))
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        changed = read_record(path) != record
        if changed and not module.check_mode:
            write_atomically(path, text)
        module.exit_json(changed=changed, ids=ids)

    # recorded: whether an up of the scenario ever finished on this store (up's leftovers step asks
    # it: when none did, what is there is a leftover and up starts from nothing).
    result = {"changed": False, "in_place": False, "reason": "", "recorded": read_record(path) is not None, "ids": ids}
    if p["compare"]:
        reason = why_not_in_place(run, path, p["content_hash"], resources, found)
        report = {"in_place": not reason, "not_in_place_because": reason}
        result.update(in_place=not reason, reason=reason, labctl_report=report)
    if p["guard"] and not result["in_place"]:
        # The look's own listings carry the labels; secrets need a call of their own (ex2's password).
        secrets = ownership.podman_secrets(run, "podman", resources.get("secrets")) if run else {}
        foreign = ownership.not_made_by_labctl(resources, {**found, "secrets": secrets})
        result["not_made_by_labctl"] = foreign
        if foreign and not p["force"]:
            said = ownership.refusal(foreign)
            module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=3, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
