# The work happens in the action plugin of the same name; this file carries its documentation.

DOCUMENTATION = r"""
module: stop
short_description: End the run with one sentence that labctl says in the language it shows
description:
  - Fails the task with one sentence saying what is wrong and what to do, given as data, a reason of
    the collection's C(module_utils/reasons.py) and its values; C(msg) is the English sentence (for
    Ansible's own output and the logs), C(labctl_said) the same as data, which labctl renders in English
    or German.
  - A value is data, never a template; it may itself be a said (a phrase inside the sentence) or a list.
options:
  reason:
    description: "The reason's key in C(module_utils/reasons.py), e.g. C(network_without_dns)."
    type: str
    default: ""
  values: {description: The values of the reason's placeholders., type: dict, default: {}}
  said: {description: "A whole said (C(reason) and C(values)) a module returned, instead of O(reason).", type: dict}
  exit_code: {description: "labctl's exit code for this stop (default: 3 in the host role, else 1).", type: int}
author: labctl developers
"""

EXAMPLES = r"""
- name: Stop when my-web-net exists but gives its containers no name resolution
  labctl.lab.stop:
    reason: network_without_dns
    values: {network: my-web-net, client: client, server: webserver, scenario: ex1}
"""

RETURN = r"""
labctl_said:
  description: The sentence as data, C(reason) and C(values).
  returned: always
  type: dict
"""
