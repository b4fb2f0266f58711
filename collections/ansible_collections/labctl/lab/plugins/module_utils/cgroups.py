"""cgroup facts shared by labctl's modules: the layout, and whether pod limits can be enforced.

Pure functions over a root folder (normally /), so that tests can feed them real-format files.
"""

import os

V1_MEMORY_LIMIT = "memory.limit_in_bytes"
V1_CPU_QUOTA = "cpu.cfs_quota_us"
V1_CPU_PERIOD = "cpu.cfs_period_us"
V2_MEMORY_MAX = "memory.max"
V2_CPU_MAX = "cpu.max"
# cgroup v1 reports "no limit" as a huge page-aligned number, not as "max".
V1_UNLIMITED_FROM = 1 << 62


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return None


def fs_type(mount_point, mounts_file="/proc/self/mounts"):
    """The filesystem type mounted at a path ('' when none); the last mount there is the visible one."""
    kind = ""
    try:
        with open(mounts_file, encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) > 2 and fields[1] == mount_point:
                    kind = fields[2]
    except OSError:
        pass
    return kind


def layout(mounts_file="/proc/self/mounts", root="/sys/fs/cgroup"):
    """{'version': 2, 'layout': 'unified'} or {'version': 1, 'layout': 'hybrid' | 'legacy'}."""
    if fs_type(root, mounts_file) == "cgroup2":
        return {"version": 2, "layout": "unified"}
    hybrid = fs_type(f"{root}/unified", mounts_file) == "cgroup2"
    return {"version": 1, "layout": "hybrid" if hybrid else "legacy"}


def v1_controllers(proc_cgroups="/proc/cgroups"):
    text = _read(proc_cgroups) or ""
    rows = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    return sorted(r[0] for r in rows if len(r) >= 4 and r[3] == "1")


def v2_controllers(root="/sys/fs/cgroup", uid=None):
    """Controllers available at the top, or (for a user) those systemd delegates to the user's session."""
    if uid is None:
        path = f"{root}/cgroup.controllers"
    else:
        path = f"{root}/user.slice/user-{uid}.slice/user@{uid}.service/cgroup.controllers"
    return (_read(path) or "").split()


def user_manager_cgroup(uid):
    """The cgroup (relative to the v2 root) of a user's systemd manager, where rootless pods live."""
    return f"user.slice/user-{uid}.slice/user@{uid}.service"


# Why limits are not enforced, as (key, params): the checks say it in the student's language
# (the keys are phrases of labctl.lab's texts); limits_not_enforced_because says it in English.
REASONS_EN = {
    "rootless_v1": "rootless Podman cannot apply limits on cgroup v1",
    "controller_unavailable": "the cgroup controller {controllers} is not available",
    "controllers_unavailable": "the cgroup controllers {controllers} are not available",
    "controller_not_delegated": (
        "systemd does not delegate the cgroup controller {controllers} to user {user} (user@.service's Delegate=)"
    ),
    "controllers_not_delegated": (
        "systemd does not delegate the cgroup controllers {controllers} to user {user} (user@.service's Delegate=)"
    ),
    "no_pod_cgroup": "the pod has no cgroup of its own at {dir}",
}


def not_enforced_reason(version, privileged, controllers, user="", wanted=("memory", "cpu")):
    """None when the limits of the wanted controllers are enforced here, else (key, params) saying why."""
    if version == 1 and not privileged:
        return ("rootless_v1", {})
    missing = [c for c in wanted if c not in controllers]
    if not missing:
        return None
    many = "s" if len(missing) > 1 else ""
    if privileged:
        return (f"controller{many}_unavailable", {"controllers": ", ".join(missing)})
    return (f"controller{many}_not_delegated", {"controllers": ", ".join(missing), "user": user})


def reason_in_english(reason):
    """A (key, params) reason as the English sentence; '' for None."""
    if not reason:
        return ""
    key, params = reason
    return REASONS_EN[key].format(**params)


def reason_as_data(reason):
    """A (key, params) reason as a said ({reason, values}: the key a phrase of labctl.lab's texts); None for None."""
    return {"reason": reason[0], "values": dict(reason[1])} if reason else None


def limits_not_enforced_because(version, privileged, controllers, user="", wanted=("memory", "cpu")):
    """'' when the limits of the wanted controllers are enforced here, else the reason, in words for a student."""
    return reason_in_english(not_enforced_reason(version, privileged, controllers, user, wanted))


def pod_cgroup_dir(version, cgroup_path, root="/sys/fs/cgroup", uid=None):
    """The folder of a pod's cgroup on v2: a rootless pod's CgroupPath is relative to its user's manager.

    Podman reports a rootless pod as user.slice/user-libpod_pod_<id>.slice; the kernel has it under
    user.slice/user-UID.slice/user@UID.service/ (the user's systemd manager). On v1 the path is as given.
    """
    rel = cgroup_path.lstrip("/")
    plain = os.path.join(root, rel)
    if version != 2 or not uid:
        return plain
    delegated = os.path.join(root, user_manager_cgroup(uid), rel)
    if rel.startswith(user_manager_cgroup(uid)) or (os.path.isdir(plain) and not os.path.isdir(delegated)):
        return plain
    return delegated


def read_pod_limits(version, cgroup_path, root="/sys/fs/cgroup", uid=None):
    """The limits the kernel enforces on a pod's cgroup: memory in bytes (None = no limit), CPUs (None = no limit).

    uid: the rootless user whose pod it is (None or 0: root's). Returns {'found': bool, 'memory_bytes',
    'cpus', 'files': {...raw values...}, 'dir'}.
    """
    rel = cgroup_path.lstrip("/")
    if version == 2:
        base = pod_cgroup_dir(version, cgroup_path, root, uid)
        memory_raw, cpu_raw = _read(os.path.join(base, V2_MEMORY_MAX)), _read(os.path.join(base, V2_CPU_MAX))
        files = {V2_MEMORY_MAX: memory_raw, V2_CPU_MAX: cpu_raw}
        if memory_raw is None and cpu_raw is None:
            return {"found": False, "memory_bytes": None, "cpus": None, "files": files, "dir": base}
        memory = None if memory_raw in (None, "max") else int(memory_raw)
        cpus = None
        if cpu_raw:
            quota, _, period = cpu_raw.partition(" ")
            if quota != "max" and period:
                cpus = int(quota) / int(period)
        return {"found": True, "memory_bytes": memory, "cpus": cpus, "files": files, "dir": base}

    memory_dir, cpu_dir = os.path.join(root, "memory", rel), os.path.join(root, "cpu", rel)
    memory_raw = _read(os.path.join(memory_dir, V1_MEMORY_LIMIT))
    quota_raw, period_raw = _read(os.path.join(cpu_dir, V1_CPU_QUOTA)), _read(os.path.join(cpu_dir, V1_CPU_PERIOD))
    files = {V1_MEMORY_LIMIT: memory_raw, V1_CPU_QUOTA: quota_raw, V1_CPU_PERIOD: period_raw}
    if memory_raw is None and quota_raw is None:
        return {"found": False, "memory_bytes": None, "cpus": None, "files": files, "dir": memory_dir}
    memory = None if memory_raw is None or int(memory_raw) >= V1_UNLIMITED_FROM else int(memory_raw)
    cpus = None
    if quota_raw is not None and period_raw and int(quota_raw) > 0:
        cpus = int(quota_raw) / int(period_raw)
    return {"found": True, "memory_bytes": memory, "cpus": cpus, "files": files, "dir": memory_dir}


def pod_limits_report(cgroup_path, euid, user, mounts_file="/proc/self/mounts", root="/sys/fs/cgroup"):
    """What a pod's limits are here and whether this host can enforce them for this user.

    {'version', 'layout', 'controllers', 'found', 'memory_bytes', 'cpus', 'files', 'dir',
     'reasons': {'memory': (key, params) | None, 'cpu': ..., 'both': ...}}.
    """
    where = layout(mounts_file, root)
    privileged = euid == 0
    controllers = v2_controllers(root, uid=None if privileged else euid) if where["version"] == 2 else v1_controllers()
    reasons = {
        c: not_enforced_reason(where["version"], euid == 0, controllers, user, wanted=(c,)) for c in ("memory", "cpu")
    }
    reasons["both"] = not_enforced_reason(where["version"], euid == 0, controllers, user)
    limits = read_pod_limits(where["version"], cgroup_path, root=root, uid=euid)
    if not limits["found"]:
        missing = ("no_pod_cgroup", {"dir": limits["dir"]})
        reasons = {c: r or missing for c, r in reasons.items()}
    return {**where, "controllers": controllers, **limits, "reasons": reasons}
