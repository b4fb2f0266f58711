"""same_machine: the hosts of a play that are one machine (two students on it are two inventory hosts)."""

DOCUMENTATION = r"""
name: same_machine
short_description: The play's hosts that reach the same machine as a given host, in the play's order
positional: _input, hostvars, host
description:
  - Two students on one machine are two inventory hosts with the same address (ansible_host, else the
    host's name) and SSH port (ansible_port, else 22). What is the machine's, not a store's (its host
    record, labctl installed for every user, /etc/labctl/config.toml), is written once per machine, or
    by each of them with the same content.
options:
  _input:
    description: The play's hosts (ansible_play_hosts).
    type: list
    elements: str
    required: true
  hostvars:
    description: Ansible's hostvars.
    type: dict
    required: true
  host:
    description: The host whose machine is asked for (inventory_hostname).
    type: str
    required: true
"""


def machine_of(name, host_vars):
    """(address, port) of an inventory host, as SSH reaches it."""
    host_vars = host_vars or {}
    return str(host_vars.get("ansible_host") or name), str(host_vars.get("ansible_port") or 22)


def same_machine(play_hosts, hostvars, host):
    mine = machine_of(host, hostvars[host])
    return [name for name in play_hosts or [] if machine_of(name, hostvars[name]) == mine]


class FilterModule:
    def filters(self):
        return {"same_machine": same_machine}
