"""Action plugin behind labctl.lab.scenario: a scenario file as the role's variables, on the controller."""

import os

import yaml
from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

LABEL_MANAGED = {"io.labctl.managed": "true"}
SECTIONS = ("ports", "images", "builds", "temporary")
KINDS = ("networks", "pods", "containers", "volumes", "secrets")


def role_vars(scenario):
    """Every key of the scenario's sections as the role variable <role>_<key>; a build gives its tag."""
    role = scenario["role"]
    values = {}
    sections = [scenario.get(s) or {} for s in SECTIONS]
    sections += [(scenario.get("resources") or {}).get(kind) or {} for kind in KINDS]
    for section in sections:
        for key, value in section.items():
            values[f"{role}_{key}"] = value["tag"] if isinstance(value, dict) else value
    return values


def find_role(scenario, roles_path):
    given = scenario.get("role_path")
    if given:
        return given
    for folder in roles_path:
        candidate = os.path.join(folder, scenario["role"])
        if os.path.isfile(os.path.join(candidate, "tasks", "main.yml")):
            return candidate
    raise AnsibleActionFail(f"Role {scenario['role']} of scenario {scenario['id']} not found in {roles_path}.")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(
            argument_spec={
                "scenario": {"type": "dict"},
                "file": {"type": "path"},
            },
            mutually_exclusive=[("scenario", "file")],
            required_one_of=[("scenario", "file")],
        )
        scenario = args["scenario"]
        if args["file"]:
            with open(args["file"], encoding="utf-8") as handle:
                scenario = yaml.safe_load(handle)
        roles_path = C.config.get_config_value("DEFAULT_ROLES_PATH")
        role_path = find_role(scenario, roles_path)
        resources = scenario.get("resources") or {}
        builds = [
            {
                "tag": build["tag"],
                "context": os.path.join(role_path, "files", build["context"]),
                "folder": build["context"],
                "format": build.get("format", "oci"),
                "by_student": bool(build.get("by_student", False)),
                # Not labctl's managed label: a container inherits its image's labels, and a
                # student's own container from this image must not look like labctl's.
                "labels": {"io.labctl.built-for": scenario["id"]},
            }
            for build in (scenario.get("builds") or {}).values()
        ]
        facts = {
            **role_vars(scenario),
            "lab_scenario_id": scenario["id"],
            "lab_role_path": role_path,
            "lab_labels": {**LABEL_MANAGED, "io.labctl.scenario": scenario["id"]},
            "lab_ports": sorted(set((scenario.get("ports") or {}).values())),
            "lab_images": list(dict.fromkeys((scenario.get("images") or {}).values())),
            "lab_builds": builds,
            "lab_files": list(scenario.get("files") or []),
            "lab_resources": {kind: list((resources.get(kind) or {}).values()) for kind in KINDS},
            "lab_temporary": list((scenario.get("temporary") or {}).values()),
            # The set of checks starts empty. A host fact, like the ones labctl.lab.check adds: a
            # set_fact would outrank them, and the final assertion would see no check at all.
            "labctl_checks": [],
        }
        result.update(changed=False, ansible_facts=facts)
        return result
