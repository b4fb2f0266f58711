#!/usr/bin/python
"""subids: subordinate uid and gid ranges for a lab user who has none, past everyone else's."""

DOCUMENTATION = r"""
module: subids
short_description: Give a user subordinate uid and gid ranges for rootless Podman when they have none
description:
  - "Reads /etc/subuid and /etc/subgid when it runs, and gives the user the first block of 65536 ids past
    every range handed out (usermod --add-subuids/--add-subgids), so no two users share host ids. Run it
    with C(throttle: 1): two students of one machine are two hosts, and each must see the other's range."
  - A user with ranges in both files keeps them (nothing changes).
options:
  user: {type: str, required: true, description: The lab user.}
author: labctl developers
"""

RETURN = r"""
range:
  description: 'The range given ("START-END", as usermod takes it), "" when none was needed.'
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import lab_store, reasons

FILES = ("/etc/subuid", "/etc/subgid")


def _text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def has_range(text, user, uid):
    """Whether a subuid/subgid text gives the user (by name or uid) a range."""
    return any(line.split(":")[0] in (user, str(uid)) for line in text.splitlines() if line.count(":") == 2)


def main():
    module = AnsibleModule(argument_spec={"user": {"type": "str", "required": True}}, supports_check_mode=True)
    import pwd

    user = module.params["user"]
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        said = reasons.said("no_user_then_setup", user=user)
        module.fail_json(msg=reasons.english(said), labctl_said=said)
    texts = [_text(path) for path in FILES]
    if all(has_range(text, user, uid) for text in texts):
        module.exit_json(changed=False, range="")
    start = lab_store.free_subid_start(*texts)
    span = f"{start}-{start + lab_store.SUBID_COUNT - 1}"
    if not module.check_mode:
        module.run_command(["usermod", "--add-subuids", span, "--add-subgids", span, user], check_rc=True)
    module.exit_json(changed=True, range=span)


if __name__ == "__main__":
    main()
