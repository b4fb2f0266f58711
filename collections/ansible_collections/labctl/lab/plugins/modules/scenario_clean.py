#!/usr/bin/python
"""Remove an exercise's resources by the course's names, and nothing else: the one clean of every exercise."""

DOCUMENTATION = r"""
module: scenario_clean
short_description: Remove an exercise's containers, pods, volumes and networks, touching nothing else
description:
  - Inspect, compare, act. One look at Podman finds which of the exercise's names exist, who made
    each (labctl's label C(io.labctl.managed=true), or not) and which other containers use them.
  - Removes the exercise's containers (with their anonymous volumes, no stop timeout), then its pods,
    volumes and networks, and the given image tags, whether labctl or a student made them - that is
    how a machine is made ready for the next class.
  - Never touches anything else. A pod, volume, network or image that a container outside the
    exercise uses stays, and the result says why.
  - With O(forget), it also removes labctl's record of the scenario's last up (the quick second up's
    record, see labctl.lab.scenario_state), since nothing of that up is left to be in place.
  - In check mode (C(labctl clean --dry-run)) it only reports the plan. The containers.podman
    modules do not all honour check mode, and none plans across kinds, hence this module.
options:
  resources:
    type: dict
    required: true
    description: Names by kind (networks, pods, containers, volumes, secrets), as the scenario file gives them.
  temporary:
    type: list
    elements: str
    default: []
    description: Containers the course or verify starts for a moment; removed when found.
  keep_volumes: {type: bool, default: false, description: Keep the volumes (reset --keep-data).}
  images: {type: list, elements: str, default: [], description: Image tags to remove as well.}
  forget: {type: str, default: "", description: The scenario whose record of its last up goes too ("" keeps it).}
  state_dir:
    type: path
    description: Where records live; default /var/lib/labctl/scenarios for root, else under XDG_STATE_HOME.
author: labctl developers
"""

RETURN = r"""
plan:
  description: Per kind, the names removed (or to remove, in check mode).
  returned: always
  type: dict
kept:
  description: What stays although the exercise names it, each with the reason.
  returned: always
  type: list
not_made_by_labctl:
  description: Removed names that labctl did not make (a student's, say), as "kind name".
  returned: always
  type: list
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import ownership, records


class Podman:
    def __init__(self, module):
        self.module = module
        self.binary = module.get_bin_path("podman", required=True)

    def json(self, *args):
        rc, out, err = self.module.run_command([self.binary, *args, "--format", "json"])
        if rc != 0:
            self.module.fail_json(msg=f"podman {' '.join(args)} failed: {err.strip()}")
        return json.loads(out or "[]") or []

    def run(self, *args):
        rc, _, err = self.module.run_command([self.binary, *args])
        if rc != 0:
            self.module.fail_json(msg=f"podman {' '.join(args)} failed: {err.strip()}")


def plan_clean(resources, temporary, keep_volumes, images, listings):
    """The pure part: what to remove and what to keep, from the scenario's names and Podman's listings."""
    containers, pods, volumes, networks, secrets, image_list, users = listings
    ours = set(resources.get("containers") or []) | set(temporary or [])
    plan = {kind: [] for kind in ("containers", "pods", "volumes", "networks", "secrets", "images")}
    kept, foreign_made = [], []

    def note_maker(kind, name, item):
        if not ownership.made_by_labctl(item):
            foreign_made.append(f"{kind[:-1]} {name}")

    for name in sorted(ours & set(containers)):
        plan["containers"].append(name)
        if name in (resources.get("containers") or []):
            note_maker("containers", name, containers[name])

    def outsiders(kind, name):
        return sorted(u for u in users.get((kind, name), []) if u not in ours)

    wanted = {
        "pods": (resources.get("pods") or [], pods),
        "volumes": ([] if keep_volumes else resources.get("volumes") or [], volumes),
        "networks": (resources.get("networks") or [], networks),
        "secrets": (resources.get("secrets") or [], secrets),
    }
    for kind, (names, found) in wanted.items():
        for name in names:
            if name not in found:
                continue
            others = outsiders(kind, name)
            if others:
                kept.append(
                    {
                        "kind": kind[:-1],
                        "name": name,
                        "reason": f"{', '.join(others)} {'uses' if len(others) == 1 else 'use'} it and "
                        f"{'is' if len(others) == 1 else 'are'} not part of the exercise",
                    }
                )
                continue
            plan[kind].append(name)
            note_maker(kind, name, found[name])
    for tag in images:
        if tag not in image_list:
            continue
        others = outsiders("images", tag)
        if others:
            kept.append({"kind": "image", "name": tag, "reason": f"{', '.join(others)} outside the exercise use it"})
            continue
        plan["images"].append(tag)
        if "io.labctl.context" not in (image_list[tag] or {}):
            foreign_made.append(f"image {tag}")
    return plan, kept, foreign_made


def look(podman, resources, images):
    """Podman's listings, reduced to what plan_clean needs: name -> labels, and (kind, name) -> user containers."""
    all_ctrs = podman.json("ps", "-a")
    pod_names = {p["Id"]: p["Name"] for p in podman.json("pod", "ps")}
    containers, users = {}, {}
    for ctr in all_ctrs:
        name = (ctr.get("Names") or [""])[0]
        if ctr.get("IsInfra") or (name.endswith("-infra") and ctr.get("Pod")):
            continue  # a pod's own infra container goes with its pod
        containers[name] = ctr
        pod = pod_names.get(ctr.get("Pod") or "")
        if pod:
            users.setdefault(("pods", pod), []).append(name)
        for net in ctr.get("Networks") or []:
            users.setdefault(("networks", net), []).append(name)
    for volume in resources.get("volumes") or []:
        for ctr in podman.json("ps", "-a", "--filter", f"volume={volume}"):
            users.setdefault(("volumes", volume), []).append((ctr.get("Names") or [""])[0])
    pods = {p["Name"]: p for p in podman.json("pod", "ps")} if resources.get("pods") else {}
    volumes = {v["Name"]: v for v in podman.json("volume", "ls")} if resources.get("volumes") else {}
    networks = {n["name"]: n for n in podman.json("network", "ls")} if resources.get("networks") else {}
    secrets = ownership.podman_secrets(podman.module.run_command, podman.binary, resources.get("secrets"))
    image_list = {}
    if images:
        for image in podman.json("images"):
            for tag in image.get("Names") or image.get("RepoTags") or []:
                image_list[tag] = image.get("Labels") or {}
        for tag in images:
            for ctr in all_ctrs:
                if ctr.get("Image") == tag:
                    users.setdefault(("images", tag), []).append((ctr.get("Names") or [""])[0])
    return containers, pods, volumes, networks, secrets, image_list, users


def main():
    module = AnsibleModule(
        argument_spec={
            "resources": {"type": "dict", "required": True},
            "temporary": {"type": "list", "elements": "str", "default": []},
            "keep_volumes": {"type": "bool", "default": False},
            "images": {"type": "list", "elements": "str", "default": []},
            "forget": {"type": "str", "default": ""},
            "state_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    p = module.params
    podman = Podman(module)
    plan, kept, foreign_made = plan_clean(
        p["resources"], p["temporary"], p["keep_volumes"], p["images"], look(podman, p["resources"], p["images"])
    )
    changed = any(plan.values())
    if p["forget"]:  # the record of an up that clean undoes
        changed = records.forget(records.record_path(p["forget"], p["state_dir"]), module.check_mode) or changed
    if any(plan.values()) and not module.check_mode:
        # Containers first, with no stop timeout (busybox sleep ignores SIGTERM) and their anonymous volumes.
        if plan["containers"]:
            podman.run("rm", "--force", "--time", "0", "--volumes", *plan["containers"])
        for pod in plan["pods"]:
            podman.run("pod", "rm", "--force", pod)
        if plan["volumes"]:
            podman.run("volume", "rm", "--force", *plan["volumes"])
        for network in plan["networks"]:
            podman.run("network", "rm", network)
        if plan["secrets"]:
            podman.run("secret", "rm", *plan["secrets"])
        if plan["images"]:
            podman.run("image", "rm", *plan["images"])
    module.exit_json(
        changed=changed,
        plan=plan,
        kept=kept,
        not_made_by_labctl=foreign_made,
        labctl_report={
            "clean": {"plan": plan, "kept": kept, "not_made_by_labctl": foreign_made, "dry_run": module.check_mode}
        },
    )


if __name__ == "__main__":
    main()
