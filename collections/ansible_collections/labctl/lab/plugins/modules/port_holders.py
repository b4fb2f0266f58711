#!/usr/bin/python
"""Who holds a TCP port: nobody, a Podman pod or container, or another process."""

DOCUMENTATION = r"""
module: port_holders
short_description: Tell for each host port whether it is free, and if not, who holds it
description:
  - Lists listening TCP sockets with C(ss) and the ports Podman publishes with C(podman ps).
  - A port published by a pod or container is attributed to it (Podman's conmon or rootlessport
    holds the socket); any other holder is named by process name and PID.
options:
  ports: {type: list, elements: int, required: true, description: The ports to look at.}
author: labctl developers
"""

RETURN = r"""
ports: {description: One entry per port (port, free, process, pid, pod, container)., returned: always, type: list}
"""

import json
import re

from ansible.module_utils.basic import AnsibleModule

USERS = re.compile(r'\("([^"]+)",pid=(\d+)')


def listeners(module, ports):
    ss = module.get_bin_path("ss", required=True)
    rc, out, err = module.run_command([ss, "-Hltnp"])
    if rc != 0:
        module.fail_json(msg=f"ss failed: {err.strip()}")
    held = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        port = fields[3].rsplit(":", 1)[-1]
        if port.isdigit() and int(port) in ports:
            match = USERS.search(line)
            held.setdefault(int(port), (match.group(1), int(match.group(2))) if match else ("", 0))
    return held


def published(module):
    podman = module.get_bin_path("podman")
    if not podman:
        return {}
    # --pod fills in PodName; without it the JSON leaves it empty.
    rc, out, _ = module.run_command([podman, "ps", "--pod", "--format", "json"])
    if rc != 0:
        return {}
    owners = {}
    for ctr in json.loads(out or "[]") or []:
        for mapping in ctr.get("Ports") or []:
            first = int(mapping.get("host_port", 0))
            for port in range(first, first + int(mapping.get("range", 1) or 1)):
                owner = {"pod": ctr.get("PodName") or "", "container": (ctr.get("Names") or [""])[0]}
                # A pod's containers all show the pod's ports: name the pod, or a container that is not infra.
                if port not in owners or not ctr.get("IsInfra"):
                    owners[port] = owner
    return owners


def main():
    module = AnsibleModule(
        argument_spec={"ports": {"type": "list", "elements": "int", "required": True}}, supports_check_mode=True
    )
    ports = module.params["ports"]
    held = listeners(module, set(ports))
    owners = published(module) if ports else {}
    result = []
    for port in ports:
        process, pid = held.get(port, ("", 0))
        owner = owners.get(port, {})
        result.append(
            {
                "port": port,
                "free": port not in held and not owner,
                "process": process,
                "pid": pid,
                "pod": owner.get("pod", ""),
                "container": owner.get("container", ""),
            }
        )
    module.exit_json(changed=False, ports=result)


if __name__ == "__main__":
    main()
