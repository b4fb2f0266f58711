#!/usr/bin/python
"""run_lease: one labctl run at a time per Podman store on a machine, whichever controller runs it."""

DOCUMENTATION = r"""
module: run_lease
short_description: Take, refresh or give back labctl's run lease on this machine's Podman store
description:
  - A lease file in the store's folder (root /var/lib/labctl/run.lease; a normal user's
    ~/.local/state/labctl/run.lease, from the password database, whatever the environment says)
    names the store and the run that works on it - its id, its controller, the uid, PID and start
    time of labctl there, what it runs, since when and when it was last refreshed.
  - Every change happens under an flock of that folder, so taking over a lease is atomic.
  - A holder counts as gone when its PID is dead on its own controller (judged here when this
    machine is that controller, else by the controller itself through I(gone)), or when it has not
    been refreshed for its stale_after seconds (its controller refreshes it while the run lives).
  - Otherwise the run waits up to I(wait) seconds, then fails saying who holds the lease.
  - Taking the lease also removes the image archives an interrupted run left in the store's folder
    (incoming/), and says which.
options:
  state:
    description: >-
      C(taken) to take the lease (waiting); C(refreshed) to say the run still lives; C(given) to
      give it back if this run holds it; C(read) to report the holder and the leftovers.
    type: str
    choices: [taken, refreshed, given, read]
    default: taken
  run:
    description: This run, C({id, controller, machine, uid, user, pid, pid_start, command}).
    type: dict
    required: true
  wait:
    description: Seconds to wait for another run's lease; 0 fails at once.
    type: int
    default: 840
  gone:
    description: Ids of holders this run's controller found dead there; such a lease is taken over.
    type: list
    elements: str
    default: []
  ask:
    description: >-
      When a run of this run's own controller holds the lease, return at once with C(ask) and the
      holder instead of waiting: the controller judges whether that run is gone (labctl.lab.lease_gone).
    type: bool
    default: true
  dir:
    description: The lease's folder (tests); default the store's folder.
    type: path
author: labctl developers
"""

RETURN = r"""
path: {description: The lease file., returned: always, type: str}
state_dir: {description: The store's folder on this machine., returned: always, type: str}
held_before: {description: This run held the lease already (labctl took it first)., returned: taken, type: bool}
took_over: {description: The gone run whose lease was taken over, in words., returned: taken, type: str}
holder: {description: Who holds the lease (taken, when it failed or asks; read)., returned: sometimes, type: dict}
ask: {description: A run of this controller holds it - the controller judges it., returned: sometimes, type: bool}
swept: {description: Leftover archive folders removed., returned: taken, type: list}
leftovers: {description: Leftover archive folders and their sizes., returned: read, type: list}
"""

import os
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import boundary, lease, reasons


def main():
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "choices": ["taken", "refreshed", "given", "read"], "default": "taken"},
            "run": {"type": "dict", "required": True},
            "wait": {"type": "int", "default": 840},
            "gone": {"type": "list", "elements": "str", "default": []},
            "ask": {"type": "bool", "default": True},
            "dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    run, uid = module.params["run"], os.geteuid()
    folder = module.params["dir"] or boundary.store_dir(uid, pwd.getpwuid(uid).pw_dir)
    path = os.path.join(folder, lease.LEASE)
    for key in ("id", "controller"):
        if not run.get(key):
            module.fail_json(msg=f"run_lease: run.{key} is missing")
    problem = boundary.folder_problem(folder, uid)
    if problem:
        said = reasons.said("state_refused", folder=folder, problem=problem)
        module.fail_json(msg=reasons.english(said), labctl_said=said, labctl_exit_code=3)
    # A lease is bookkeeping of the run, like a lock, not a change to the lab: never "changed".
    state = module.params["state"]
    if state == "read":
        module.exit_json(
            changed=False, path=path, state_dir=folder, holder=lease.read(folder), leftovers=lease.leftovers(folder)
        )
    if state == "given":
        module.exit_json(changed=False, given_back=lease.give(folder, run["id"]), path=path, state_dir=folder)
    if state == "refreshed":
        module.exit_json(changed=False, refreshed=lease.refresh(folder, run["id"]), path=path, state_dir=folder)
    verdict, holder = lease.take(
        folder,
        run,
        module.params["wait"],
        gone=module.params["gone"],
        refresh=bool(run.get("refreshes")),
        ask=module.params["ask"],
        mode=0o755 if uid == 0 else 0o700,
    )
    if verdict == "held":
        busy = reasons.said("store_busy", holder=lease.describe_said(holder), path=path)
        module.fail_json(
            msg=reasons.english(busy),
            labctl_said=busy,
            labctl_exit_code=3,
            holder=holder,
            path=path,
            state_dir=folder,
        )
    if verdict == "ask":
        module.exit_json(changed=False, path=path, state_dir=folder, ask=True, holder=holder, held_before=False)
    swept = lease.sweep_incoming(folder)
    module.exit_json(
        changed=False,
        path=path,
        state_dir=folder,
        held_before=verdict == "ours",
        took_over=lease.describe(holder) if verdict == "took over" else "",
        swept=swept,
    )


if __name__ == "__main__":
    main()
