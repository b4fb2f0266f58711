#!/usr/bin/python
"""Who holds a TCP port: nobody, a Podman pod or container, or another process."""

DOCUMENTATION = r"""
module: port_holders
short_description: Tell for each host port whether it is free, and if not, who holds it
description:
  - Lists listening TCP sockets with C(ss) and the ports Podman publishes with C(podman ps).
  - A port published by a pod or container is attributed to it (Podman's conmon or rootlessport
    holds the socket); any other holder is named by process name and PID.
  - With O(offset), every port is first moved up by the host's C(lab_port_offset); a bad offset
    fails the task with one sentence.
options:
  ports: {type: list, elements: int, required: true, description: The ports to look at (the scenario files' numbers).}
  offset:
    type: raw
    default: 0
    description: The host's lab_port_offset, as the inventory gives it (a whole number from 0 to 50000).
  host: {type: str, default: this host, description: "The host's name in the inventory, for a bad offset's message."}
author: labctl developers
"""

RETURN = r"""
ports:
  description: One entry per moved port (port, free, process, pid, pod, container).
  returned: always
  type: list
offset: {description: The offset applied., returned: always, type: int}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import ports as port_rules


def main():
    module = AnsibleModule(
        argument_spec={
            "ports": {"type": "list", "elements": "int", "required": True},
            "offset": {"type": "raw", "default": 0},
            "host": {"type": "str", "default": "this host"},
        },
        supports_check_mode=True,
    )
    wanted = list(dict.fromkeys(module.params["ports"]))
    try:
        offset = port_rules.port_offset(module.params["offset"], module.params["host"], wanted)
    except port_rules.OffsetError as exc:
        module.fail_json(msg=str(exc), labctl_said=exc.said, labctl_exit_code=2)  # bad input, as on the command line
    try:
        found = port_rules.who_holds(
            module.run_command,
            [p + offset for p in wanted],
            ss=module.get_bin_path("ss", required=True),
            podman=module.get_bin_path("podman"),
        )
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, ports=found, offset=offset)


if __name__ == "__main__":
    main()
