"""Action plugin behind labctl.lab.scenario: a scenario file as the role's variables, on the controller."""

import os

import yaml
from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

LABEL_MANAGED = {"io.labctl.managed": "true"}
SECTIONS = ("ports", "images", "builds", "temporary")
KINDS = ("networks", "pods", "containers", "volumes", "secrets")
MAX_PORT_OFFSET = 50000


def port_offset(value, host, ports):
    """The host's lab_port_offset as an int (0 when unset), or a one-sentence error."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PORT_OFFSET:
        raise AnsibleActionFail(
            f"lab_port_offset of host {host} must be a whole number from 0 to {MAX_PORT_OFFSET}, not {value!r}: "
            "fix it in the inventory.",
            result={"labctl_exit_code": 2},  # bad input, as on the command line
        )
    top = max(ports, default=0)
    if top + value > 65535:
        raise AnsibleActionFail(
            f"lab_port_offset {value} of host {host} moves port {top} past 65535: "
            f"use at most {65535 - top} in the inventory.",
            result={"labctl_exit_code": 2},
        )
    return value


def shifted(scenario, offset):
    """The scenario with every host port of its `ports` section moved up by offset."""
    if not offset:
        return scenario
    return {**scenario, "ports": {key: port + offset for key, port in (scenario.get("ports") or {}).items()}}


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
        # Many students on one machine: each inventory host (a student's account) may shift every
        # host port of the scenario by its own lab_port_offset, so their labs coexist.
        raw_offset = (task_vars or {}).get("lab_port_offset")
        if raw_offset is not None:
            raw_offset = self._templar.template(raw_offset)
        offset = port_offset(
            raw_offset,
            (task_vars or {}).get("inventory_hostname", "?"),
            list((scenario.get("ports") or {}).values()),
        )
        file_ports = sorted(set((scenario.get("ports") or {}).values()))
        scenario = shifted(scenario, offset)
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
            # The scenario file's numbers: the host's port check (roles/host/tasks/ports.yml) moves
            # them by lab_port_offset itself, as it does for `labctl host setup|check`.
            "lab_ports": file_ports,
            "lab_port_offset_applied": offset,
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
