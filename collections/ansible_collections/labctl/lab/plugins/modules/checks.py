# The work happens in the action plugin of the same name; this file carries its documentation.

DOCUMENTATION = r"""
module: checks
short_description: Judge an exercise's checks against its gathered state, and report each one
description:
  - Judges a list of checks, each naming an assertion of the collection (module_utils/assertions.py)
    and its arguments, against the state labctl.lab.lab_state gathered, in one task.
  - Words each result in the language of the play variable C(lab_lang) (C(en) by default), from the
    role's C(checks/<lang>.yml) keyed by check id and the collection's phrases; what a language lacks
    is said in English.
  - Never fails the task for a failed check; every check is reported (C(labctl_checks_reported)) and
    appended to the host fact C(labctl_checks); a final task decides.
  - A check with C(acts) is not judged when C(lab_look_only) is true (C(labctl verify --look-only));
    it is then a SKIP that counts as no failure, and the role skips the tasks that act.
options:
  checks:
    description:
      - The checks, in the order the student reads them. Each has C(id) (a stable slug, the column of
        the class matrix), C(assert) (an assertion's name), C(args) (its arguments), and optionally
        C(values) (more values for its texts), C(acts) (true when it changes the lab to know) and
        C(severity) (C(fail), C(warn) or C(info)).
      - A check that is wrong (unknown assertion, argument or key, a bad id) fails the task.
    type: list
    elements: dict
    required: true
  state: {description: The registered result of labctl.lab.lab_state., type: dict, default: {}}
  texts: {description: "The folder of the texts (default: the role's C(checks/))", type: path}
author: labctl developers
"""

EXAMPLES = r"""
- name: Judge exercise 1's checks from what was found
  labctl.lab.checks:
    state: "{{ __ex1_network_dns_state }}"
    checks:
      - id: network-exists
        assert: network_exists
        args: {network: "{{ ex1_network_dns_network }}"}
"""

RETURN = r"""
labctl_checks_reported:
  description: Each check's result, with C(id), C(name), C(status) (PASS, FAIL, SKIP, NOT_ENFORCED, WARN, INFO),
    C(expected), C(found), C(hint), C(excused), C(acts) and C(lang) (the language it is worded in).
  returned: always
  type: list
"""
