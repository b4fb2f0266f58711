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
  ports:
    type: list
    elements: int
    default: []
    description: Host ports to look at too (the scenario files' numbers), for up's preflight in the same call.
  port_offset: {type: int, default: 0, description: The host's lab_port_offset (already checked), added to each port.}
author: labctl developers
"""

RETURN = r"""
host:
  description: The facts; C(ports) says who holds each port asked about (see labctl.lab.port_holders).
  returned: always
  type: dict
ansible_facts:
  description:
    - What the exercises read of the host, as host facts.
    - host_pod_limits_enforced, host_pod_limits_reason, host_healthcheck_timers.
  returned: always
  type: dict
"""

import json
import os
import pwd
import shutil
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import as_user, boundary, cgroups, lab_store, networks, reasons
from ansible_collections.labctl.lab.plugins.module_utils import ports as port_rules

CAP_SYS_RESOURCE = 24
# The system's storage.conf, where labctl may write its own (never an admin's) to give rootless users overlay.
STORAGE_CONF = "/etc/containers/storage.conf"
STORAGE_CONF_DEFAULT = "/usr/share/containers/storage.conf"
STORAGE_MARKER = "# Written by labctl"


def systemd_booted():
    """Whether systemd is PID 1 (sd_booted's test): then Podman's healthchecks run as transient timers."""
    return os.path.isdir("/run/systemd/system")


def storage_driver(path):
    """The driver a storage.conf sets ('' when none or no such file)."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition("=")
                if key.strip() == "driver":
                    return value.split("#")[0].strip().strip("\"'")
    except OSError:
        return None
    return ""


def storage_conf():
    """The system storage.conf: whether it is there and whether labctl wrote it."""
    try:
        with open(STORAGE_CONF, encoding="utf-8") as handle:
            first = handle.readline()
    except OSError:
        return {"path": STORAGE_CONF, "exists": False, "labctl": False, "driver": ""}
    return {
        "path": STORAGE_CONF,
        "exists": True,
        "labctl": first.startswith(STORAGE_MARKER),
        "driver": storage_driver(STORAGE_CONF) or "",
    }


def _own_storage(own, store):
    """The user's own storage.conf and store, looked at as the user (see rootless_storage)."""
    try:
        with open(own, encoding="utf-8") as handle:
            own_conf = {"path": own, "exists": True, "labctl": handle.readline().startswith(STORAGE_MARKER)}
    except OSError:
        own_conf = {"path": own, "exists": False, "labctl": False}
    return {
        "own": own_conf,
        "driver": storage_driver(own),
        "in_use": [d for d in ("overlay", "vfs") if os.path.isdir(os.path.join(store, d))],
    }


def rootless_storage(user):
    """The storage driver the user's rootless Podman takes, where that comes from, and the user's own file.

    The user's own ~/.config/containers/storage.conf first, else the system's; with no driver set at
    all, rootless Podman 4 falls back to vfs (a full copy of every layer: slow, and large). What is in
    the user's home is read as the user (never through links with root's rights).
    """
    own = os.path.join(user.pw_dir, ".config/containers/storage.conf")
    store = os.path.join(user.pw_dir, ".local/share/containers/storage")
    try:
        mine = as_user.call(user.pw_uid, user.pw_gid, _own_storage, own, store)
    except as_user.AsUserError:
        mine = {"own": {"path": own, "exists": False, "labctl": False}, "driver": None, "in_use": []}
    found = {
        "driver": "vfs",
        "from": "no storage.conf sets a driver: the rootless fallback",
        "own": mine["own"],
        "in_use": mine["in_use"],
    }
    for path in (own, STORAGE_CONF, STORAGE_CONF_DEFAULT):
        driver = mine["driver"] if path == own else storage_driver(path)
        if driver is None:
            continue  # no such file
        if driver:
            found.update(driver=driver, **{"from": path})
            break
        if path != own:
            break  # the first system file that exists is the one read
    return found


def default_record_path():
    uid = os.geteuid()
    return os.path.join(boundary.store_dir(uid, pwd.getpwuid(uid).pw_dir), "host.json")


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


def _text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(1 << 20)
    except (OSError, UnicodeDecodeError):
        return ""


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
    layout = cgroups.layout()
    delegated = None
    manager = f"/sys/fs/cgroup/{cgroups.user_manager_cgroup(user.pw_uid)}"
    if layout["version"] == 2 and os.path.isdir(manager):
        delegated = cgroups.v2_controllers(uid=user.pw_uid)
    storage = rootless_storage(user)
    lingers = os.path.exists(f"/var/lib/systemd/linger/{user_name}")
    known = delegated is not None or layout["version"] == 1
    user_why = cgroups.not_enforced_reason(layout["version"], False, delegated or [], user_name) if known else None
    return {
        "user": user_name,
        "exists": True,
        "uid": user.pw_uid,
        "gid": user.pw_gid,
        "home": user.pw_dir,
        # cgroup v2: the controllers systemd delegates to the user's manager (None: it does not run now).
        "delegated": delegated,
        "pod_limits_reason": (
            cgroups.reason_in_english(user_why) if known else "the user's systemd manager does not run"
        ),
        # The same as data ({reason, values} of labctl.lab's phrases), worded in the language labctl shows.
        "pod_limits_said": (
            cgroups.reason_as_data(user_why) if known else {"reason": "manager_not_running", "values": {}}
        ),
        # Without lingering, the user's manager (and every container) stops when the last session ends.
        "linger": lingers,
        "manager_running": os.path.isdir(f"/run/user/{user.pw_uid}/systemd"),
        # Where host setup starts the user's subuid/subgid range when they have none (past everyone's).
        "free_subid_start": lab_store.free_subid_start(_text("/etc/subuid"), _text("/etc/subgid")),
        "healthcheck_timers": systemd_booted() and (lingers or os.path.exists(f"/run/user/{user.pw_uid}/bus")),
        "storage": storage,
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


def subnet_clash(module, euid):
    """The 10.88 trap (labctl.lab's networks): the one sentence when this machine's own address or route lies
    inside the network Podman gives containers by default, else ""."""
    ip = module.get_bin_path("ip")
    if not ip:
        return {"subnet": "", "clash": "", "clash_said": None}
    folders = ["/usr/share/containers", "/etc/containers"]
    if euid != 0:
        folders.append(os.path.join(os.path.expanduser("~"), ".config", "containers"))
    texts = []
    for folder in folders:
        names = [os.path.join(folder, "containers.conf")]
        dropins = os.path.join(folder, "containers.conf.d")
        if os.path.isdir(dropins):
            names += [os.path.join(dropins, n) for n in sorted(os.listdir(dropins)) if n.endswith(".conf")]
        for name in names:
            try:
                with open(name, encoding="utf-8") as handle:
                    texts.append(handle.read(1 << 20))
            except (OSError, UnicodeDecodeError):
                continue
    subnet = networks.default_subnet(texts)
    rc_a, addr, _ = module.run_command([ip, "-j", "addr"])
    rc_r, route, _ = module.run_command([ip, "-j", "route"])
    try:
        found = networks.clash(
            subnet,
            networks.addresses(addr if rc_a == 0 else "[]"),
            networks.routes(route if rc_r == 0 else "[]"),
        )
    except ValueError:
        found = None
    said = networks.sentence(subnet, found) if found else None
    # clash: the English sentence (host check's table, Ansible's output); clash_said: the same as data.
    return {"subnet": subnet, "clash": reasons.english(said) if said else "", "clash_said": said}


def main():
    module = AnsibleModule(
        argument_spec={
            "rootless_user": {"type": "str"},
            "record_path": {"type": "path"},
            "ports": {"type": "list", "elements": "int", "default": []},
            "port_offset": {"type": "int", "default": 0},
        },
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
    why = cgroups.not_enforced_reason(layout["version"], euid == 0, layout["controllers"], user)
    reason = cgroups.reason_in_english(why)
    facts = {
        "euid": euid,
        "user": user,
        "privileged": euid == 0,
        "package_manager": package_manager(),
        "podman": podman_facts(module),
        "cgroups": layout,
        "pod_limits": {"enforced": not reason, "reason": reason, "said": cgroups.reason_as_data(why)},
        "cap_sys_resource": capability(CAP_SYS_RESOURCE),
        "hard_limits": hard_limits(),
        "catatonit": next(
            (p for p in ("/usr/libexec/podman/catatonit", "/usr/bin/catatonit") if os.path.exists(p)), ""
        ),
        "runtimes": {name: bool(shutil.which(name)) for name in ("crun", "runc")},
        # Rootless readiness: for the user asked about, or for the user labctl runs as when not root.
        "rootless": rootless(module.params["rootless_user"] or (user if euid != 0 else None)),
        "containers_conf_dir": config_dropin_dir(euid),
        "systemd": systemd_booted(),
        # Podman's healthchecks run by themselves only as systemd timers (root: PID 1 is systemd; a normal
        # user: their manager's bus too); elsewhere labctl runs `podman healthcheck run` itself.
        "healthcheck_timers": systemd_booted()
        and (euid == 0 or os.path.exists(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{euid}") + "/bus")),
        "storage_conf": storage_conf(),
        "network": subnet_clash(module, euid),
        "record_path": record_path,
        "record": record,
    }
    wanted = [p + module.params["port_offset"] for p in dict.fromkeys(module.params["ports"])]
    if wanted:
        try:
            facts["ports"] = port_rules.who_holds(
                module.run_command,
                wanted,
                ss=module.get_bin_path("ss", required=True),
                podman=facts["podman"].get("path"),
            )
        except RuntimeError as exc:
            module.fail_json(msg=str(exc))
    module.exit_json(
        changed=False,
        host=facts,
        # What the exercises read (ex3 waits by Podman's health where its timers run; ex4 reports enforcement).
        ansible_facts={
            "host_pod_limits_enforced": facts["pod_limits"]["enforced"],
            "host_pod_limits_reason": facts["pod_limits"]["reason"],
            "host_pod_limits_said": facts["pod_limits"]["said"],
            "host_healthcheck_timers": facts["healthcheck_timers"],
        },
    )


if __name__ == "__main__":
    main()
