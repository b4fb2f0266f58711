#!/usr/bin/python
"""run_lease: one labctl run at a time per Podman store on a machine, whichever controller runs it."""

DOCUMENTATION = r"""
module: run_lease
short_description: Take or give back labctl's run lease on this machine's Podman store
description:
  - A lease file next to labctl's records (root /var/lib/labctl/run.lease; a normal user's
    ~/.local/state/labctl/run.lease) says which run works on this store - its id, its controller,
    who ran what, and since when. It is made atomically (O_EXCL), so two runs from two controllers
    cannot both take it.
  - A lease from the same controller is taken over (labctl there lets one run at a time through its
    own lock, so its holder is gone); so is a lease older than I(max_age) (its holder crashed).
  - Otherwise the run waits up to I(wait) seconds, then fails saying who holds the lease.
options:
  state:
    description: C(taken) to take the lease (waiting); C(given) to give it back if this run holds it.
    type: str
    choices: [taken, given]
    default: taken
  run:
    description: This run, C({id, controller, user, command}).
    type: dict
    required: true
  wait:
    description: Seconds to wait for another run's lease; 0 fails at once.
    type: int
    default: 840
  max_age:
    description: Seconds after which a lease counts as left behind by a crashed run.
    type: int
    default: 3600
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule


def lease_path():
    if os.geteuid() == 0:
        return "/var/lib/labctl/run.lease"
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "labctl", "run.lease")


def read(path):
    """The lease's holder, or None when there is none; {} when it cannot be read (being written)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def held_by_other(holder, run, now, max_age, mtime):
    """Whether `holder` keeps `run` out: not ours, not our controller's, not stale."""
    if holder is None:
        return False
    if not holder:  # unreadable: someone is writing it, unless it has been so for a minute
        return now - mtime < 60
    if holder.get("id") == run["id"] or holder.get("controller") == run["controller"]:
        return False
    return now - float(holder.get("since", 0)) < max_age


def describe(holder):
    since = time.strftime("%H:%M", time.localtime(float(holder.get("since", 0))))
    return (
        f"{holder.get('command') or 'a labctl run'} ({holder.get('user', '?')} on "
        f"{holder.get('controller', '?')}, since {since})"
    )


def take(path, run, wait, max_age):
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    record = json.dumps({**run, "since": time.time()})
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = read(path)
            try:
                mtime = os.stat(path).st_mtime
            except FileNotFoundError:
                continue  # given back meanwhile: try again at once
            if holder is not None and held_by_other(holder, run, time.time(), max_age, mtime):
                if time.monotonic() >= deadline:
                    return False, holder
                time.sleep(1)
                continue
            if holder and holder.get("id") == run["id"]:
                return True, None
            tmp = f"{path}.{run['id']}"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(record)
            os.replace(tmp, path)  # take over what a gone run left
            return True, holder or {}
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(record)
        return True, None


def main():
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "choices": ["taken", "given"], "default": "taken"},
            "run": {"type": "dict", "required": True},
            "wait": {"type": "int", "default": 840},
            "max_age": {"type": "int", "default": 3600},
        },
        supports_check_mode=True,
    )
    run, path = module.params["run"], lease_path()
    for key in ("id", "controller"):
        if not run.get(key):
            module.fail_json(msg=f"run_lease: run.{key} is missing")
    if module.params["state"] == "given":
        holder = read(path)
        mine = bool(holder) and holder.get("id") == run["id"]
        if mine:
            os.unlink(path)
        # A lease is bookkeeping of the run, like a lock, not a change to the lab: never "changed".
        module.exit_json(changed=False, given_back=mine, path=path)
    ok, holder = take(path, run, module.params["wait"], module.params["max_age"])
    if not ok:
        module.fail_json(
            msg=(
                f"Another labctl run works on this machine's Podman store: {describe(holder)}; wait for it to "
                f"finish and try again (if that run is gone, remove {path} on this machine)"
            ),
            labctl_exit_code=3,
            holder=holder,
        )
    module.exit_json(changed=False, path=path, took_over=describe(holder) if holder else "")


if __name__ == "__main__":
    main()
