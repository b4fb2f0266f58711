"""lease_gone: on the controller, whether a run lease's holder is a run of this controller that is gone."""

DOCUMENTATION = r"""
name: lease_gone
short_description: The ids of lease holders that were runs of this controller and whose labctl process is dead
positional: _input
description:
  - Runs where the playbook runs (the controller). A lease names the machine (machine-id and boot)
    and the PID of the labctl process that holds it; only that machine can tell whether the PID is
    dead, so a machine of the inventory cannot judge a lease of this controller's runs by itself.
options:
  _input:
    description: The holder of a lease, as labctl.lab.run_lease (state read, or a failed take) returns it.
    type: dict
    required: true
"""

from ansible_collections.labctl.lab.plugins.module_utils import lease  # noqa: E402


def lease_gone(holder):
    gone = lease.gone_here(holder)
    return [gone] if gone else []


class FilterModule:
    def filters(self):
        return {"lease_gone": lease_gone}
