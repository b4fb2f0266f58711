#!/usr/bin/python
"""lab_store: whose Podman store this run works on, and the environment its Podman needs."""

DOCUMENTATION = r"""
module: lab_store
short_description: Say whose Podman store a run works on, and what rootless Podman needs to find it
description:
  - Run as the lab user (become_user), it describes that account's store; given C(user) (root looking
    for an account), that account's.
  - Returns the environment the account's Podman needs under become (C(XDG_RUNTIME_DIR) and the user
    bus where systemd-logind made C(/run/user/<uid>); nothing elsewhere, where Podman's own fallback
    serves), and the host's C(lab_port_offset) with C(auto) made a number (a stable step per account).
  - With C(require_ready), fails with one sentence (labctl_exit_code 3) when the account cannot hold a
    lab now (a systemd machine where it does not linger). Changes nothing.
options:
  user: {type: str, description: The account to describe (default the account this runs as).}
  port_offset: {type: raw, description: The host's lab_port_offset as the inventory gives it (a number or auto).}
  require_ready: {type: bool, default: false, description: Fail when the account's rootless Podman cannot hold a lab.}
author: labctl developers
"""

RETURN = r"""
store:
  description: user, uid, home, systemd, lingers, runtime_dir, environment, whose, problem.
  returned: always
  type: dict
port_offset:
  description: The host's lab_port_offset, auto resolved (the raw value otherwise, checked later by the read step).
  returned: always
  type: raw
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import lab_store, reasons


def main():
    module = AnsibleModule(
        argument_spec={
            "user": {"type": "str"},
            "port_offset": {"type": "raw"},
            "require_ready": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    user = module.params["user"] or None
    try:
        store = lab_store.look(user)
    except KeyError:
        said = reasons.said("no_user", user=user)
        module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=2)
    offset = lab_store.resolve_offset(module.params["port_offset"], store["uid"])
    if module.params["require_ready"] and store["problem"]:
        said = store["problem"]
        module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=3, store=store)
    # labctl's output says whose store each machine's run worked on (labctl_report, per host).
    module.exit_json(changed=False, store=store, port_offset=offset, labctl_report={"store": store["whose"]})


if __name__ == "__main__":
    main()
