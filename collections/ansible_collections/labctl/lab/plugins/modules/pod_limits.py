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
  - With O(probe), also proves it, running a short-lived container in the pod that allocates more
    memory than the limit, and reports whether the kernel killed it (OOMKilled, or exit 137) and
    whether the pod's other containers kept running. The probe runs in a temporary folder (conmon
    writes a file named C(oom) into its working folder on a kill) and is removed afterwards.
options:
  cgroup_path: {type: str, required: true, description: The pod's CgroupPath from podman pod inspect.}
  probe:
    type: dict
    description:
      - C(pod), C(image), C(name) (the probe container's), C(mib) (how much to allocate),
        C(labels) (dict) and C(others) (the pod's containers that must keep running).
author: labctl developers
"""

RETURN = r"""
version: {description: cgroup version., returned: always, type: int}
enforceable: {description: Whether pod limits can be enforced on this host for this user., returned: always, type: bool}
reason: {description: Why not, when not., returned: always, type: str}
memory_enforceable: {description: Whether the memory limit can be enforced here., returned: always, type: bool}
memory_reason: {description: Why not, when not., returned: always, type: str}
cpu_enforceable: {description: Whether the CPU limit can be enforced here., returned: always, type: bool}
cpu_reason: {description: Why not, when not., returned: always, type: str}
controllers: {description: The controllers available (v2 rootless - delegated)., returned: always, type: list}
found: {description: Whether the pod's cgroup files exist., returned: always, type: bool}
memory_bytes: {description: Enforced memory limit (null = none)., returned: always, type: int}
cpus: {description: Enforced CPU limit in CPUs (null = none)., returned: always, type: float}
files: {description: The raw values read, by file name., returned: always, type: dict}
reasons:
  description: Why not, as [key, params] of labctl.lab's texts (or null), for C(memory), C(cpu) and C(both).
  returned: always
  type: dict
probe:
  description: The allocation's outcome, C(rc), C(oom_killed), C(killed) (either), C(stderr), C(others_running).
  returned: when asked for
  type: dict
"""

import json
import os
import pwd
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import cgroups


def allocation_probe(module, probe):
    """Allocate more than the pod may have from a container in it; did the kernel stop it?"""
    podman = module.get_bin_path("podman", required=True)
    name = probe["name"]
    labels = [arg for key, value in (probe.get("labels") or {}).items() for arg in ("--label", f"{key}={value}")]
    workdir = tempfile.mkdtemp(prefix="labctl-probe-")
    try:
        module.run_command([podman, "rm", "--force", "--time", "0", name])  # one an interrupted verify left
        rc, _, err = module.run_command(
            [
                podman,
                "run",
                "--name",
                name,
                "--pod",
                probe["pod"],
                *labels,
                probe["image"],
                "dd",
                "if=/dev/zero",
                "of=/dev/null",
                f"bs={int(probe['mib'])}M",
                "count=1",
            ],
            cwd=workdir,
        )
        _, out, _ = module.run_command([podman, "container", "inspect", name, "--format", "json"])
        state = (json.loads(out or "[{}]") or [{}])[0].get("State", {})
    finally:
        module.run_command([podman, "rm", "--force", "--time", "0", name], cwd=workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    others = probe.get("others") or []
    running = []
    if others:
        _, out, _ = module.run_command([podman, "container", "inspect", *others, "--format", "json"])
        running = [c["Name"] for c in json.loads(out or "[]") or [] if c.get("State", {}).get("Running")]
    oom_killed = bool(state.get("OOMKilled"))
    return {
        "rc": rc,
        "oom_killed": oom_killed,
        "killed": oom_killed or rc == 137,  # 137 = 128 + SIGKILL, the kernel's OOM kill
        "stderr": err.strip()[-300:],
        "others_running": sorted(running) == sorted(others),
        "others_not_running": sorted(set(others) - set(running)),
    }


def main():
    module = AnsibleModule(
        argument_spec={"cgroup_path": {"type": "str", "required": True}, "probe": {"type": "dict"}},
        supports_check_mode=True,
    )
    euid = os.geteuid()
    report = cgroups.pod_limits_report(module.params["cgroup_path"], euid, pwd.getpwuid(euid).pw_name)
    reasons = report.pop("reasons")
    extra = {}
    if module.params["probe"] and not module.check_mode:
        extra["probe"] = allocation_probe(module, module.params["probe"])
    module.exit_json(
        changed=False,
        enforceable=not reasons["both"],
        reason=cgroups.reason_in_english(reasons["both"]),
        memory_enforceable=not reasons["memory"],
        memory_reason=cgroups.reason_in_english(reasons["memory"]),
        cpu_enforceable=not reasons["cpu"],
        cpu_reason=cgroups.reason_in_english(reasons["cpu"]),
        reasons=reasons,
        **report,
        **extra,
    )


if __name__ == "__main__":
    main()
