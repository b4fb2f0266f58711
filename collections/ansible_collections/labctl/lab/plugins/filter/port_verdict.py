"""port_verdict: whether a scenario's host ports are free or held by the scenario itself."""

from ansible_collections.labctl.lab.plugins.module_utils import ports

DOCUMENTATION = r"""
name: port_verdict
short_description: Judge a scenario's host ports from who holds them
description:
  - A port passes when it is free or published by one of the scenario's own pods or containers.
  - Returns C({ok, ports, expected, found, hint, problem, said}), the sentences a C(labctl.lab.check) shows;
    C(ports) are the file's numbers moved by the offset, C(problem) the one sentence that stops up (in
    English; C(said) the same as data, for labctl.lab.stop).
  - Given a list of scenarios' checks, returns the first verdict that is not ok (else the last).
positional: _input, check, offset
options:
  _input:
    description: Who holds each port, as labctl.lab.port_holders or labctl.lab.host_facts return it.
    type: list
    elements: dict
    required: true
  check:
    description: The scenario's C({scenario, ports, pods, containers}) (the file's ports), or a list of them.
    type: raw
    required: true
  offset: {description: The host's port offset., type: int, default: 0}
"""


def port_verdict(found, check, offset=0):
    return ports.verdict(found, check, int(offset or 0))


class FilterModule:
    def filters(self):
        return {"port_verdict": port_verdict}
