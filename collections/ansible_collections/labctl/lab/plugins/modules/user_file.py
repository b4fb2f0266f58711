#!/usr/bin/python
"""user_file: a file of labctl's in a user's home, written or removed as that user."""

DOCUMENTATION = r"""
module: user_file
short_description: Write or remove one of labctl's files in a user's home, as that user
description:
  - Run as root for a lab user (labctl host setup --lab-user NAME, and its --undo), the work is done by a
    child process with the user's uid, gid and groups, never by root. A link the user planted on the
    way (say ~/.config pointing at /etc) leads only where the user could write anyway; no folder is
    ever chowned.
  - Writes only where no file is, or where the file is labctl's (its first line starts with
    I(marker)); removes only a file that is still labctl's. Writes atomically (a new file beside
    it, then rename). Missing folders are made with mode 0700.
  - When the user cannot do it (a folder of theirs that is not writable, a link to another user's
    folder), fails with one sentence (labctl_exit_code 3).
options:
  user: {type: str, required: true, description: The user whose home it is.}
  path: {type: str, required: true, description: "The file, relative to the home: .config/containers/storage.conf."}
  content: {type: str, default: "", description: What the file holds (state present).}
  mode: {type: str, default: "0644", description: The file's mode.}
  marker: {type: str, required: true, description: The start of the first line of every file labctl writes.}
  state: {type: str, choices: [present, absent], default: present, description: Write it, or remove it.}
author: labctl developers
"""

RETURN = r"""
path: {description: The file's full path., returned: always, type: str}
foreign: {description: A file is there that labctl did not write (it stays)., returned: always, type: bool}
"""

import os
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import as_user, reasons


def _first_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.readline()
    except FileNotFoundError:
        return None


def apply(path, content, mode, marker, state, check_mode):
    """The work, as the user: {"changed", "foreign"}."""
    first = _first_line(path)
    ours = first is not None and first.startswith(marker)
    if state == "absent":
        if ours and not check_mode:
            os.unlink(path)
        return {"changed": ours, "foreign": first is not None and not ours}
    if first is not None and not ours:
        return {"changed": False, "foreign": True}
    if ours:
        with open(path, encoding="utf-8", errors="replace") as handle:
            if handle.read() == content and (os.stat(path).st_mode & 0o7777) == mode:
                return {"changed": False, "foreign": False}
    if not check_mode:
        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        tmp = os.path.join(folder, f".{os.path.basename(path)}.labctl-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(content)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise
    return {"changed": True, "foreign": False}


def main():
    module = AnsibleModule(
        argument_spec={
            "user": {"type": "str", "required": True},
            "path": {"type": "str", "required": True},
            "content": {"type": "str", "default": ""},
            "mode": {"type": "str", "default": "0644"},
            "marker": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        entry = pwd.getpwnam(p["user"])
    except KeyError:
        if p["state"] == "absent":  # a user who is gone has no file left to remove
            module.exit_json(changed=False, path="", foreign=False)
        said = reasons.said("no_user_plain", user=p["user"])
        module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=2)
    relative = os.path.normpath(p["path"])
    if os.path.isabs(relative) or relative.startswith(".."):
        module.fail_json(msg=f"user_file: path {p['path']} must lie inside the user's home")
    path = os.path.join(entry.pw_dir, relative)
    try:
        done = as_user.call(
            entry.pw_uid,
            entry.pw_gid,
            apply,
            path,
            p["content"],
            int(p["mode"], 8),
            p["marker"],
            p["state"],
            module.check_mode,
        )
    except as_user.AsUserError as exc:
        verb = "write" if p["state"] == "present" else "remove"
        module.fail_json(
            msg=(
                f"labctl could not {verb} {path} as {p['user']} ({exc.strerror}); a folder on its way is not "
                f"{p['user']}'s to change (a link to another account's folder?): fix it, then try again"
            ),
            labctl_exit_code=3,
            path=path,
        )
    module.exit_json(path=path, **done)


if __name__ == "__main__":
    main()
