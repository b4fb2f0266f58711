# The work happens in the action plugin of the same name; this file carries its documentation.

DOCUMENTATION = r"""
module: scenario
short_description: Read a labctl scenario and set its role's variables
description:
  - The scenario file is the one source of an exercise's names, ports and images. Each key of its
    C(ports), C(images), C(builds), C(temporary) and C(resources.*) sections becomes the role
    variable C(<role>_<key>) (a build gives its tag), as a host fact.
  - Also sets C(lab_scenario_id), C(lab_role_path), C(lab_labels), C(lab_ports), C(lab_images),
    C(lab_builds) (with absolute build contexts), C(lab_files), C(lab_resources), C(lab_temporary) and
    C(lab_state_hash) (C(lab_content_hash) with the host's port offset, for the record of an up),
    which the verbs' shared steps (playbooks/steps/) use, and starts C(labctl_checks) empty.
  - The exercise's role is the one labctl names (C(role_path)), else the first on the roles path,
    else the collection's own (a built labctl.lab carries the roles).
  - Every host port of the C(ports) section is moved up by the host's C(lab_port_offset) (an inventory
    host variable, a whole number from 0 to 50000, default 0), so that several students' labs coexist
    on one machine; the C(<role>_<key>) variables are the moved ports, C(lab_ports) stays the file's
    numbers (the host role's port check moves them itself), and C(lab_port_offset_applied) is the offset.
    A bad offset fails the task with one sentence.
  - Runs on the controller; changes nothing.
options:
  scenario: {type: dict, description: The scenario as data (what labctl passes as C(lab_scenario)).}
  file: {type: path, description: A scenario file to read instead (Molecule uses this).}
  id:
    type: str
    description:
      - A scenario by its id (C(ex2)), for an Ansible user without labctl (AWX, ansible-pull).
      - Read from C(scenarios/<id>.yml) beside the playbook's folder (a checkout), else from the
        collection's own C(scenarios/) (a built labctl.lab). The first of O(scenario), O(file), O(id) given is used.
author: labctl developers
"""

EXAMPLES = r"""
- name: Read the scenario
  labctl.lab.scenario:
    file: "{{ playbook_dir }}/../scenarios/ex2.yml"

- name: Read a scenario of the collection by its id
  labctl.lab.scenario:
    id: ex2
"""

RETURN = r"""
ansible_facts:
  description: The role's variables and the lab_* facts described above.
  returned: always
  type: dict
"""
