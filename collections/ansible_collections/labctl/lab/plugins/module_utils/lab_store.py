"""Whose Podman store a run works on, and what rootless Podman needs to find it (issue 19).

The lab user (host variable lab_user, `--lab-user NAME`) is the account whose rootless store holds
the lab on a machine. labctl connects as the inventory's admin and runs the exercise AS that user
(Ansible's become_user). sudo gives the user no session: rootless Podman then needs
XDG_RUNTIME_DIR=/run/user/<uid> where systemd-logind made it (the user lingers, or is logged in),
else it falls back to /tmp/podman-run-<uid> (Podman's own fallback: right on a machine without
systemd, where no session has that folder either). On a systemd machine the user must linger: the
store a student's login uses is /run/user/<uid>, and a run that started the lab under the fallback
would leave Podman saying "database configuration mismatch" in the student's shell.

Pure functions over what `look()` reads; the module labctl.lab.lab_store reports them.
"""

import os
import pwd
import stat

from ansible_collections.labctl.lab.plugins.module_utils import reasons

AUTO = "auto"
AUTO_STEP = 100  # ports move in steps of 100 per lab user: 8080, 8180, 8280, …
AUTO_SLOTS = 50  # steps before the slots repeat (the highest offset is AUTO_STEP * AUTO_SLOTS = 5000)
UID_MIN = 1000  # Debian's and Fedora's first normal account (login.defs UID_MIN)


def auto_offset(uid, uid_min=UID_MIN, step=AUTO_STEP, slots=AUTO_SLOTS):
    """`lab_port_offset: auto`: a stable step per lab user on a machine, from the account's uid.

    Root and system accounts keep the scenario's own ports (0); the first normal account (uid_min)
    gets one step, the next two, and so on: two students with neighbouring accounts never share a port.
    Stable without any record: the trainer's controller and the student's own labctl on the machine
    compute the same number. Accounts `slots` apart share a slot (up's port check then says so)."""
    uid = int(uid)
    if uid < uid_min:
        return 0
    return step * (1 + (uid - uid_min) % slots)


def resolve_offset(value, uid):
    """A host's lab_port_offset with `auto` made a number for the account `uid`; anything else as given."""
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return auto_offset(uid)
    return value


def runtime_dir(uid, lstat=os.lstat):
    """The user's /run/user/<uid> when systemd-logind made it for them (a folder the user owns, mode 0700),
    else "" (Podman's own fallback then)."""
    path = f"/run/user/{int(uid)}"
    try:
        st = lstat(path)
    except OSError:
        return ""
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != int(uid):
        return ""
    return path


def environment(uid, runtime):
    """The environment the lab user's Podman runs with under become (root's own store: none)."""
    if int(uid) == 0 or not runtime:
        return {}
    # Podman finds the user's systemd manager (the systemd cgroup manager, healthcheck timers) through the bus.
    return {"XDG_RUNTIME_DIR": runtime, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={runtime}/bus"}


def problem(user, uid, systemd, lingers, runtime):
    """Why the lab user's rootless Podman cannot hold a lab here now (None: it can), as a said
    (module_utils.reasons)."""
    if int(uid) == 0 or not systemd:
        return None
    if not lingers:
        return reasons.said("no_linger", user=user)
    if not runtime:
        return reasons.said("no_user_manager", user=user, uid=uid)
    return None


def whose(user, uid):
    """How output names a store: "student07's store", "root's store"."""
    return f"{user}'s store" if user else f"uid {uid}'s store"


def look(user=None, lingers_dir="/var/lib/systemd/linger", systemd_dir="/run/systemd/system"):
    """The store a run works on: the named user's (root looking for them), else this process's account."""
    entry = pwd.getpwnam(user) if user else pwd.getpwuid(os.geteuid())
    systemd = os.path.isdir(systemd_dir)
    lingers = os.path.exists(os.path.join(lingers_dir, entry.pw_name))
    runtime = runtime_dir(entry.pw_uid)
    return {
        "user": entry.pw_name,
        "uid": entry.pw_uid,
        "home": entry.pw_dir,
        "systemd": systemd,
        "lingers": lingers,
        "runtime_dir": runtime,
        "environment": environment(entry.pw_uid, runtime),
        "whose": whose(entry.pw_name, entry.pw_uid),
        "problem": problem(entry.pw_name, entry.pw_uid, systemd, lingers, runtime),
    }


SUBID_START = 100000  # where useradd's ranges begin (login.defs SUB_UID_MIN)
SUBID_COUNT = 65536


def free_subid_start(*texts, start=SUBID_START, count=SUBID_COUNT):
    """The first start of `count` ids past every range /etc/subuid and /etc/subgid (their texts) hand out:
    a lab user without ranges gets one that overlaps no one's (host setup, `usermod --add-subuids`)."""
    end = start
    for text in texts:
        for line in (text or "").splitlines():
            parts = line.strip().split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                end = max(end, int(parts[1]) + int(parts[2]))
    # whole blocks of `count`, as useradd hands them out
    return start + -(-(end - start) // count) * count
