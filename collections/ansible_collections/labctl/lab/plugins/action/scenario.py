"""Action plugin behind labctl.lab.scenario: a scenario file as the role's variables, on the controller."""

import os
import re

import yaml
from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.labctl.lab.plugins.module_utils import lab_store, ports
from ansible_collections.labctl.lab.plugins.module_utils.scenario_vars import KINDS, LABEL_MANAGED, role_vars, shifted

MAX_PORT_OFFSET = ports.MAX_PORT_OFFSET
# A scenario id names a file: lower-case words, no path (an id from a survey is data, never a path).
SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# The collection's own folder: a built labctl.lab carries roles/, playbooks/ and scenarios/ there.
COLLECTION_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def port_offset(value, host, ports_of_file):
    """The host's lab_port_offset as an int (0 when unset), or a one-sentence error."""
    try:
        return ports.port_offset(value, host, ports_of_file)
    except ports.OffsetError as exc:  # bad input, as on the command line
        raise AnsibleActionFail(str(exc), result={"labctl_exit_code": 2, "labctl_said": exc.said}) from exc


def scenario_file(scenario_id, folders):
    """The file of a scenario given by id: scenarios/<id>.yml in the first folder that has it."""
    if not isinstance(scenario_id, str) or not SCENARIO_ID.match(scenario_id):
        raise AnsibleActionFail(
            f"lab_scenario_id must be a scenario's id such as ex1 (lower-case letters, digits, - and _), "
            f"not {str(scenario_id)[:40]!r}.",
            result={"labctl_exit_code": 2},
        )
    for folder in folders:
        candidate = os.path.join(folder, f"{scenario_id}.yml")
        if os.path.isfile(candidate):
            return candidate
    raise AnsibleActionFail(
        f"No scenario {scenario_id}: no {scenario_id}.yml in {', '.join(folders)}.", result={"labctl_exit_code": 2}
    )


def find_role(scenario, roles_path):
    """The exercise role's folder: as labctl gives it, else on the roles path, else the collection's own."""
    given = scenario.get("role_path")
    if given:
        return given
    folders = [*roles_path, os.path.join(COLLECTION_DIR, "roles")]
    for folder in folders:
        candidate = os.path.join(folder, scenario["role"])
        if os.path.isfile(os.path.join(candidate, "tasks", "up.yml")):
            return candidate
    raise AnsibleActionFail(f"Role {scenario['role']} of scenario {scenario['id']} not found in {folders}.")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(
            argument_spec={
                "scenario": {"type": "dict"},
                "file": {"type": "path"},
                "id": {"type": "str"},
            },
            required_one_of=[("scenario", "file", "id")],
        )
        # labctl gives the scenario as data, Molecule its file, an Ansible user (AWX, ansible-pull) its id.
        scenario, path = args["scenario"], args["file"]
        if not scenario and not path:
            folders = [os.path.join(os.path.dirname((task_vars or {}).get("playbook_dir") or "."), "scenarios")]
            folders.append(os.path.join(COLLECTION_DIR, "scenarios"))
            path = scenario_file(args["id"], list(dict.fromkeys(os.path.normpath(f) for f in folders)))
        if not scenario:
            with open(path, encoding="utf-8") as handle:
                scenario = yaml.safe_load(handle)
        # Many students on one machine: each inventory host (a student's account) may shift every
        # host port of the scenario by its own lab_port_offset, so their labs coexist.
        raw_offset = (task_vars or {}).get("lab_port_offset")
        if raw_offset is not None:
            raw_offset = self._templar.template(raw_offset)
        # `auto` (a step per lab user): lease_take.yml makes it a number; a run without it (Molecule) uses
        # the store's uid when known, else the scenario's own ports.
        store = (task_vars or {}).get("__lab_store") or {}
        raw_offset = lab_store.resolve_offset(raw_offset, store.get("uid", 0))
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
        content_hash = str(self._templar.template((task_vars or {}).get("lab_content_hash") or "") or "")
        facts = {
            **role_vars(scenario),
            # What a record of this host's up carries: labctl's content hash, and the host's port offset,
            # which is part of what the last up produced (labctl.lab.scenario_state).
            "lab_state_hash": content_hash + (f"+port-offset={offset}" if offset else ""),
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
