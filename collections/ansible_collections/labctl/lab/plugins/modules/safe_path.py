#!/usr/bin/python
"""safe_path: refuse to write through a folder another account may change."""

DOCUMENTATION = r"""
module: safe_path
short_description: Check that a path lies in folders only the account this runs as (and root) may change
description:
  - Every folder on the way must belong to this account or to root and be writable by no one else
    (a sticky folder such as /tmp only when the next step exists and is this account's), and every
    link on the way must belong to this account or to root. Otherwise the task fails with one
    sentence (labctl_exit_code 3) and nothing is written - say, root laying out an exercise's files
    in a student's home, where a link the student planted could send them anywhere.
  - Changes nothing.
options:
  path: {type: path, required: true, description: The file or folder about to be written.}
  what: {type: str, default: the path, description: What the user gave it as (named in the message).}
author: labctl developers
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import boundary, reasons


def main():
    module = AnsibleModule(
        argument_spec={"path": {"type": "path", "required": True}, "what": {"type": "str", "default": "the path"}},
        supports_check_mode=True,
    )
    path = os.path.abspath(module.params["path"])
    problem = boundary.path_problem(path, os.geteuid())
    if problem:
        said = reasons.said("will_not_write", path=path, problem=problem, what=module.params["what"])
        module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=3)
    module.exit_json(changed=False, path=path)


if __name__ == "__main__":
    main()
