#!/usr/bin/python
"""Read the resource limits the kernel really enforces on a pod, from the pod's own cgroup."""

DOCUMENTATION = r"""
module: pod_limits
short_description: The memory and CPU limits enforced on a pod's cgroup, or why there are none
description:
  - Reads C(memory.max) and C(cpu.max) (cgroup v2) or C(memory.limit_in_bytes) and
    C(cpu.cfs_quota_us)/C(cpu.cfs_period_us) (cgroup v1) of the pod's CgroupPath.
  - Says when limits cannot be enforced on this host (rootless on cgroup v1, a controller missing),
    which is something else than a pod without limits.
options:
  cgroup_path: {type: str, required: true, description: The pod's CgroupPath from podman pod inspect.}
author: labctl developers
"""

RETURN = r"""
version: {description: cgroup version., returned: always, type: int}
enforceable: {description: Whether pod limits can be enforced on this host for this user., returned: always, type: bool}
reason: {description: Why not, when not., returned: always, type: str}
found: {description: Whether the pod's cgroup files exist., returned: always, type: bool}
memory_bytes: {description: Enforced memory limit (null = none)., returned: always, type: int}
cpus: {description: Enforced CPU limit in CPUs (null = none)., returned: always, type: float}
files: {description: The raw values read, by file name., returned: always, type: dict}
"""

import os
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import cgroups


def main():
    module = AnsibleModule(argument_spec={"cgroup_path": {"type": "str", "required": True}}, supports_check_mode=True)
    euid = os.geteuid()
    where = cgroups.layout()
    if where["version"] == 2:
        controllers = cgroups.v2_controllers(uid=None if euid == 0 else euid)
    else:
        controllers = cgroups.v1_controllers()
    reason = cgroups.limits_not_enforced_because(where["version"], euid == 0, controllers, pwd.getpwuid(euid).pw_name)
    limits = cgroups.read_pod_limits(where["version"], module.params["cgroup_path"])
    if not reason and not limits["found"]:
        reason = f"the pod has no cgroup of its own at {limits['dir']}"
    module.exit_json(
        changed=False, version=where["version"], layout=where["layout"], enforceable=not reason, reason=reason, **limits
    )


if __name__ == "__main__":
    main()
