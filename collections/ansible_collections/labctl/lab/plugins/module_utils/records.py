"""Where labctl keeps, per Podman store, the record of each scenario's last up (the quick second up)."""

import os
import pwd

from ansible_collections.labctl.lab.plugins.module_utils import boundary


def default_state_dir():
    """One record per Podman store: root's in /var/lib/labctl, a user's in their home from the password
    database, whatever $HOME or $XDG_STATE_HOME say (boundary.store_dir: the one rule)."""
    uid = os.geteuid()
    return os.path.join(boundary.store_dir(uid, pwd.getpwuid(uid).pw_dir), "scenarios")


def record_path(scenario, state_dir=None):
    return os.path.join(state_dir or default_state_dir(), f"{scenario}.json")


def forget(path, check_mode=False):
    """Remove a scenario's record (after clean); whether there was one."""
    existed = os.path.exists(path)
    if existed and not check_mode:
        os.unlink(path)
    return existed
