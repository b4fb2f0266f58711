"""The account boundary: where a Podman store's state lives, and which paths an account may act on.

Shared by labctl's Python and the labctl.lab modules (labctl loads this file by path), so that both
apply one rule. Small functions over os calls that tests can replace; nothing here raises for a
refusal: each check returns None when all is well, else the reason as words for one sentence.

- Root's state lives in root's places (ROOT_STATE, ROOT_RUNTIME), whatever $HOME, $XDG_* or
  `sudo -E` say. A normal user's under their own home from the password database (or
  $XDG_STATE_HOME for run folders), never in a folder another account owns or may write.
- A path is safe for an account to write through when every folder on the way belongs to that
  account or to root and no one else may write it (a sticky folder such as /tmp only when the next
  step exists and is the account's), and every link on the way belongs to the account or to root.
"""

import os
import pwd
import stat

from ansible_collections.labctl.lab.plugins.module_utils import reasons

ROOT_STATE = "/var/lib/labctl"  # root's records, lock, lease, run folders, image archives
ROOT_RUNTIME = "/run/labctl"  # root's short-lived files
STATE_ENV = "LABCTL_STATE_DIR"  # another folder for run folders, retry records and image archives
MAX_LINKS = 40


def owner_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def store_dir(uid, home):
    """Where the lock, the lease and the records of one account's Podman store live.

    One place per store, whatever the environment says: cron, `sudo -u`, a login and an SSH session
    of one account all find the same lock (so they take turns). `home` is the account's home from
    the password database, not $HOME."""
    if uid == 0:
        return ROOT_STATE
    return os.path.join(home, ".local", "state", "labctl")


def state_dir(uid, home, environ):
    """The folder of an account's run folders, retry records and controller image archives.

    Root: ROOT_STATE, or LABCTL_STATE_DIR (checked like any state folder); $HOME and $XDG_STATE_HOME
    are not read. Another account: LABCTL_STATE_DIR, else $XDG_STATE_HOME/labctl, else
    ~/.local/state/labctl (relative values are ignored, as the XDG rules say)."""
    override = environ.get(STATE_ENV, "")
    if os.path.isabs(override):
        return override
    if uid == 0:
        return ROOT_STATE
    xdg = environ.get("XDG_STATE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(home, ".local", "state")
    return os.path.join(base, "labctl")


def _others_may_write(st, uid):
    """Whether someone besides root and `uid` may change the folder's entries."""
    if st.st_mode & stat.S_IWOTH:
        return True
    if st.st_mode & stat.S_IWGRP:
        try:
            own_group = pwd.getpwuid(uid).pw_gid if uid != 0 else 0
        except KeyError:
            own_group = None
        # a user's private group (Debian's default) is the user; any other group is other people
        return st.st_gid != own_group
    return False


def folder_problem(path, uid, lstat=os.lstat, follow=os.stat):
    """Why `uid` must not use `path` as its own state folder (None: it may, or it does not exist yet).
    A link is followed only when it is the account's own (a user who keeps ~/.local/state elsewhere)."""
    try:
        st = lstat(path)
        if stat.S_ISLNK(st.st_mode) and st.st_uid == uid and uid != 0:
            st = follow(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return reasons.said("b_unreadable", path=path, error=exc.strerror)
    if stat.S_ISLNK(st.st_mode):
        return reasons.said("b_link", path=path)
    if not stat.S_ISDIR(st.st_mode):
        return reasons.said("b_not_folder", path=path)
    if st.st_uid != uid:
        return reasons.said("b_not_owner", path=path, owner=owner_name(st.st_uid), user=owner_name(uid))
    if _others_may_write(st, uid):
        return reasons.said("b_others_write", path=path, mode=f"{stat.S_IMODE(st.st_mode):04o}")
    return None


def path_problem(path, uid, lstat=os.lstat, readlink=os.readlink):
    """Why `uid` must not write at `path` (None when every step on the way is its own or root's).

    Follows links only where they belong to `uid` or root; a missing step ends the walk (it will be
    made by `uid`), but only below a folder no one else may write."""
    if not os.path.isabs(path):
        return reasons.said("b_not_absolute", path=path)
    todo = [p for p in path.split("/") if p]
    current, hops = "/", 0
    parent_open = False  # the folder we are in may be written by others (a sticky /tmp)
    while todo:
        step = todo.pop(0)
        if step == ".":
            continue
        if step == "..":
            current = os.path.dirname(current) or "/"
            continue
        candidate = os.path.join(current, step)
        try:
            st = lstat(candidate)
        except FileNotFoundError:
            if parent_open:
                return reasons.said("b_others_first", folder=current, path=candidate)
            return None
        except OSError as exc:
            return reasons.said("b_unreadable", path=candidate, error=exc.strerror)
        if st.st_uid not in (0, uid):
            kind = (
                "b_link_of" if stat.S_ISLNK(st.st_mode) else "b_folder_of" if stat.S_ISDIR(st.st_mode) else "b_file_of"
            )
            return reasons.said(kind, path=candidate, owner=owner_name(st.st_uid))
        if stat.S_ISLNK(st.st_mode):
            hops += 1
            if hops > MAX_LINKS:
                return reasons.said("b_too_many_links", path=path)
            target = readlink(candidate)
            todo = [p for p in target.split("/") if p] + todo
            current = "/" if target.startswith("/") else current
            continue
        if todo and not stat.S_ISDIR(st.st_mode):
            return reasons.said("b_not_folder", path=candidate)
        parent_open = stat.S_ISDIR(st.st_mode) and _others_may_write(st, uid)
        if parent_open and not st.st_mode & stat.S_ISVTX:
            return reasons.said("b_others_write", path=candidate, mode=f"{stat.S_IMODE(st.st_mode):04o}")
        current = candidate
    return None


def trusted_folder_problem(path, uid, lstat=os.lstat, readlink=os.readlink):
    """Why `uid` must not take content (scenarios, roles) from the folder `path`: as for path_problem,
    and the folder itself may be written by no one else (None: it may; it need not exist)."""
    problem = path_problem(path, uid, lstat, readlink)
    if problem:
        return problem
    try:
        st = os.stat(path)
    except OSError:
        return None
    if _others_may_write(st, uid):
        return reasons.said("b_others_write", path=path, mode=f"{stat.S_IMODE(st.st_mode):04o}")
    return None
