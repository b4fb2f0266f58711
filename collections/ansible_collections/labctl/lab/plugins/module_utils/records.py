"""Where labctl keeps, per Podman store, the record of each scenario's last up (the quick second up)."""

import os


def default_state_dir():
    """One record per Podman store: root's, or this user's rootless one."""
    if os.geteuid() == 0:
        return "/var/lib/labctl/scenarios"
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "labctl", "scenarios")


def record_path(scenario, state_dir=None):
    return os.path.join(state_dir or default_state_dir(), f"{scenario}.json")


def forget(path, check_mode=False):
    """Remove a scenario's record (after clean); whether there was one."""
    existed = os.path.exists(path)
    if existed and not check_mode:
        os.unlink(path)
    return existed
