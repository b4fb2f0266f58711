# The work happens in the action plugin of the same name; this file carries its documentation.

DOCUMENTATION = r"""
module: check
short_description: Record one verify check as PASS, FAIL, SKIP or NOT ENFORCED
description:
  - Evaluates nothing itself; the task passes the outcome in O(that) and the words for the student.
  - Never fails the task, so every check of an exercise runs; the results accumulate in the
    host fact C(labctl_checks) and a final task decides.
options:
  id:
    description:
      - The check's stable id, the column of the class matrix (C(labctl verify -i)) and of its CSV,
        e.g. C(pod-running). Lower-case letters and digits in words joined by C(-), at most 40
        characters; it names what is checked, never a port or a resource name that a host may shift.
      - A looped check gives each item its own id (C(server-running), C(client-running)).
    type: str
    default: ""
  name:
    description:
      - The check, as the student reads it.
      - This and O(expected), O(found), O(hint), O(skip_reason), O(not_enforced) are plain text (data), or a
        said (C(reason) of C(module_utils/reasons.py) or of the collection's C(texts/), and C(values)) worded
        in the language of C(lab_lang), or a list of them (joined by C(; )).
    type: raw
    required: true
  that: {description: True when the check passes., type: bool, default: false}
  expected: {description: What a correct lab shows., type: raw, default: ""}
  found: {description: What this lab shows., type: raw, default: ""}
  hint: {description: One line telling the student what to do, in the course's terms., type: raw, default: ""}
  skip_reason:
    description:
      - When set, the check did not run and is SKIP. A SKIP counts as a failure (a precondition
        failed) unless O(skip_is_fine) says this reason is none.
    type: raw
    default: ""
  skip_is_fine:
    description: The skip is no failure (the lab went further than the check needs, say).
    type: bool
    default: false
  acts:
    description:
      - Set when the check changes the lab to know (writes, restarts, signals), in words, e.g.
        C(restarts the pod). Such a check leaves the lab as it found it; with C(lab_look_only)
        (C(labctl verify --look-only)) it is a SKIP that counts as no failure, and the tasks that act
        must be skipped by the role.
    type: str
    default: ""
  not_enforced: {description: When set, the check cannot pass on this host for this reason., type: raw, default: ""}
  severity:
    description: C(fail) makes a failed check a FAIL; C(warn) a WARN; C(info) always reports INFO.
    type: str
    choices: [fail, warn, info]
    default: fail
notes:
  - The arguments are validated; a mistyped one or an unknown severity fails the task.
author: labctl developers
"""

EXAMPLES = r"""
- name: Check that the network my-web-net exists
  labctl.lab.check:
    id: network-exists
    name: network my-web-net exists
    that: "{{ ex1_networks.networks | length > 0 }}"
    expected: a network named my-web-net
    found: no such network
    hint: create it with `podman network create my-web-net`
"""

RETURN = r"""
labctl_check:
  description: The check's result.
  returned: always
  type: dict
"""
