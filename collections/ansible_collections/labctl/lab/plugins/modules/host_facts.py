#!/usr/bin/python
"""Everything labctl needs to know about a host's Podman set-up, in one cheap look."""

DOCUMENTATION = r"""
module: host_facts
short_description: Look at a host's Podman prerequisites without changing anything
description:
  - Reports the Podman version, the cgroup layout (v2, v1, or hybrid), the hard limits and
    capabilities that decide whether Podman's default ulimits work, the configured runtime,
    rootless prerequisites for a user, and labctl's record of an earlier host setup.
options:
  rootless_user: {type: str, description: User whose rootless readiness to report.}
  record_path: {type: path, description: labctl's host record; default /var/lib/labctl/host.json for root.}
author: labctl developers
"""

RETURN = r"""
host: {description: The facts., returned: always, type: dict}
"""

import json
import os
import pwd
import shutil
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import cgroups

CAP_SYS_RESOURCE = 24


def default_record_path():
    if os.geteuid() == 0:
        return "/var/lib/labctl/host.json"
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "labctl", "host.json")


def capability(bit):
    with open("/proc/self/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> bit & 1)
    return False


def hard_limits():
    import resource

    def hard(which):
        value = resource.getrlimit(which)[1]
        return -1 if value == resource.RLIM_INFINITY else value

    return {"nofile": hard(resource.RLIMIT_NOFILE), "nproc": hard(resource.RLIMIT_NPROC)}


def sub_ids(path, user):
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[0] in (user.pw_name, str(user.pw_uid)):
                    return {"start": int(parts[1]), "count": int(parts[2])}
    except (OSError, ValueError):
        pass
    return None


def rootless(user_name):
    if not user_name:
        return None
    try:
        user = pwd.getpwnam(user_name)
    except KeyError:
        return {"user": user_name, "exists": False}
    try:
        tun_mode = stat.S_IMODE(os.stat("/dev/net/tun").st_mode)
    except OSError:
        tun_mode = None
    return {
        "user": user_name,
        "exists": True,
        "uid": user.pw_uid,
        "subuid": sub_ids("/etc/subuid", user),
        "subgid": sub_ids("/etc/subgid", user),
        "tun_mode": f"{tun_mode:04o}" if tun_mode is not None else None,
        # slirp4netns opens /dev/net/tun as the user: it must be readable and writable by others.
        "tun_usable": tun_mode is not None and tun_mode & 0o006 == 0o006,
        "newuidmap": bool(shutil.which("newuidmap")),
        "slirp4netns": bool(shutil.which("slirp4netns")),
    }


def config_dropin_dir(euid):
    if euid == 0:
        return "/etc/containers/containers.conf.d"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "containers", "containers.conf.d")


def podman_facts(module):
    podman = module.get_bin_path("podman")
    if not podman:
        return {"present": False}
    rc, out, err = module.run_command([podman, "version", "--format", "json"])
    if rc != 0:
        return {"present": True, "path": podman, "usable": False, "error": err.strip()}
    client = json.loads(out).get("Client", {})
    return {"present": True, "path": podman, "usable": True, "version": client.get("Version", "")}


def package_manager():
    for name in ("apt-get", "dnf", "zypper", "pacman"):
        if shutil.which(name):
            return name
    return ""


def main():
    module = AnsibleModule(
        argument_spec={"rootless_user": {"type": "str"}, "record_path": {"type": "path"}},
        supports_check_mode=True,
    )
    record_path = module.params["record_path"] or default_record_path()
    try:
        with open(record_path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        record = None
    euid = os.geteuid()
    user = pwd.getpwuid(euid).pw_name
    layout = cgroups.layout()
    if layout["version"] == 2:
        layout["controllers"] = cgroups.v2_controllers(uid=None if euid == 0 else euid)
    else:
        layout["controllers"] = cgroups.v1_controllers()
    reason = cgroups.limits_not_enforced_because(layout["version"], euid == 0, layout["controllers"], user)
    facts = {
        "euid": euid,
        "user": user,
        "privileged": euid == 0,
        "package_manager": package_manager(),
        "podman": podman_facts(module),
        "cgroups": layout,
        "pod_limits": {"enforced": not reason, "reason": reason},
        "cap_sys_resource": capability(CAP_SYS_RESOURCE),
        "hard_limits": hard_limits(),
        "catatonit": next(
            (p for p in ("/usr/libexec/podman/catatonit", "/usr/bin/catatonit") if os.path.exists(p)), ""
        ),
        "runtimes": {name: bool(shutil.which(name)) for name in ("crun", "runc")},
        # Rootless readiness: for the user asked about, or for the user labctl runs as when not root.
        "rootless": rootless(module.params["rootless_user"] or (user if euid != 0 else None)),
        "containers_conf_dir": config_dropin_dir(euid),
        "record_path": record_path,
        "record": record,
    }
    module.exit_json(changed=False, host=facts)


if __name__ == "__main__":
    main()
