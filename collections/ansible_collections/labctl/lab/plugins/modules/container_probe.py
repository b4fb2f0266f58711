#!/usr/bin/python
"""Start a real container, the only honest test of a Podman runtime configuration."""

DOCUMENTATION = r"""
module: container_probe
short_description: Tell whether Podman can start a container here, and within which limits
description:
  - Runs C(catatonit --version) in a container whose root filesystem is a throw-away folder
    holding the static catatonit binary, so no image and no registry are needed.
  - With O(measure_limits), also starts a container with low ulimits and reads the hard limits
    Podman's own processes (conmon) run with, which are the highest ulimits containers can get
    on a host without CAP_SYS_RESOURCE.
options:
  catatonit: {type: path, required: true, description: Path of the static catatonit binary.}
  measure_limits: {type: bool, default: false, description: Also measure the ulimit ceilings.}
author: labctl developers
"""

RETURN = r"""
ok: {description: Whether the container started., returned: always, type: bool}
error: {description: Podman's last error line when it did not., returned: always, type: str}
runtime: {description: The OCI runtime Podman uses., returned: always, type: str}
ceilings: {description: Hard nofile and nproc limits of conmon., returned: with measure_limits, type: dict}
"""

import shutil
import tempfile
import uuid

from ansible.module_utils.basic import AnsibleModule

LIMIT_NAMES = {"Max open files": "nofile", "Max processes": "nproc"}


def last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1].removeprefix("Error: ") if lines else ""


def read_hard_limits(pid):
    limits = {}
    with open(f"/proc/{pid}/limits", encoding="utf-8") as handle:
        for line in handle:
            for label, name in LIMIT_NAMES.items():
                if line.startswith(label):
                    hard = line[len(label) :].split()[1]
                    limits[name] = -1 if hard == "unlimited" else int(hard)
    return limits


def measure(module, podman, rootfs):
    name = f"labctl-probe-{uuid.uuid4().hex[:8]}"
    low = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
    rc, _, err = module.run_command([podman, "run", "-d", "--name", name, *low, "--rootfs", rootfs, "/catatonit", "-P"])
    try:
        if rc != 0:
            return None, last_line(err)
        rc, out, err = module.run_command([podman, "inspect", "--format", "{{.State.ConmonPid}}", name])
        if rc != 0:
            return None, last_line(err)
        return read_hard_limits(int(out.strip())), ""
    finally:
        module.run_command([podman, "rm", "-f", "-t", "0", name])


def main():
    module = AnsibleModule(
        argument_spec={
            "catatonit": {"type": "path", "required": True},
            "measure_limits": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    podman = module.get_bin_path("podman", required=True)
    rootfs = tempfile.mkdtemp(prefix="labctl-probe-")
    try:
        shutil.copy(module.params["catatonit"], f"{rootfs}/catatonit")
        rc, _, err = module.run_command([podman, "run", "--rm", "--rootfs", rootfs, "/catatonit", "--version"])
        result = {"changed": False, "ok": rc == 0, "error": "" if rc == 0 else last_line(err)}
        _, out, _ = module.run_command([podman, "info", "--format", "{{.Host.OCIRuntime.Name}}"])
        result["runtime"] = out.strip()
        if module.params["measure_limits"]:
            ceilings, error = measure(module, podman, rootfs)
            result["ceilings"] = ceilings or {}
            result["measure_error"] = error
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
