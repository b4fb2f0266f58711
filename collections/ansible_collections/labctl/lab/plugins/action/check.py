"""Action plugin behind labctl.lab.check: a verify check as structured data, never a task failure."""

import re

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.labctl.lab.plugins.action.checks import PHRASES_DIR, load_texts
from ansible_collections.labctl.lab.plugins.module_utils import reasons, texts

# A check's id: lower-case words joined by hyphens, at most 40 characters (e.g. pod-running). It is the
# class matrix's column, so it names what is checked, never a port or a name a host may shift.
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ID_MAX = 40

# The fields a person reads: plain text (data), or a said of module_utils.reasons or of the collection's
# phrases ({reason, values}), or a list of them, worded in lab_lang.
WORDS = ("name", "expected", "found", "hint", "skip_reason", "not_enforced")
ARGUMENT_SPEC = {
    "id": {"type": "str", "default": ""},
    "name": {"type": "raw", "required": True},
    "that": {"type": "bool", "default": False},
    "expected": {"type": "raw", "default": ""},
    "found": {"type": "raw", "default": ""},
    "hint": {"type": "raw", "default": ""},
    "skip_reason": {"type": "raw", "default": ""},
    "skip_is_fine": {"type": "bool", "default": False},
    "not_enforced": {"type": "raw", "default": ""},
    "acts": {"type": "str", "default": ""},
    "severity": {"type": "str", "default": "fail", "choices": ["fail", "warn", "info"]},
}


def id_problem(check_id):
    """Why a check id is not a valid slug, or "" when it is (an empty id is allowed: no column)."""
    if not check_id:
        return ""
    if len(check_id) > ID_MAX:
        return f"check id {check_id!r} is longer than {ID_MAX} characters"
    if not ID_PATTERN.match(check_id):
        return f"check id {check_id!r} must be lower-case letters and digits in words joined by '-' (e.g. pod-running)"
    return ""


def worded(value, lang, phrases):
    """A field as text in lang: a said rendered, a list's parts joined by '; ', anything else as it is."""
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (worded(v, lang, phrases) for v in value) if t)
    if isinstance(value, dict):
        return reasons.words(value, lang, more=phrases)
    return "" if value is None else str(value)


def outcome(args, look_only):
    """(status, found, excused) of one check from its arguments."""
    found = args["found"]
    if args["acts"] and look_only:
        return "SKIP", f"not run with --look-only: this check {args['acts']}", True
    if args["skip_reason"]:
        return "SKIP", args["skip_reason"], args["skip_is_fine"]
    if args["not_enforced"]:
        return "NOT_ENFORCED", args["not_enforced"] + (f"; measured: {found}" if found else ""), False
    if args["severity"] == "info":
        return "INFO", found, False
    if args["that"]:
        return "PASS", found, False
    return ("WARN" if args["severity"] == "warn" else "FAIL"), found, False


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        # A mistyped argument or severity is an error in the role, not a FAIL for the student.
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        problem = id_problem(args["id"])
        if problem:
            raise AnsibleActionFail(problem)
        look_only = bool(self._templar.template(task_vars.get("lab_look_only", False)))
        if any(isinstance(args[field], (dict, list, tuple)) for field in WORDS):
            lang = texts.language(self._templar.template(task_vars.get("lab_lang", texts.DEFAULT_LANG)))
            phrases = load_texts(PHRASES_DIR)
            args = {**args, **{field: worded(args[field], lang, phrases) for field in WORDS}}
        else:
            args = {**args, **{field: worded(args[field], "en", {}) for field in WORDS}}
        status, found, excused = outcome(args, look_only)
        name = args["name"]
        explains = status in ("FAIL", "WARN", "NOT_ENFORCED") or (status == "SKIP" and not excused)
        check = {
            "id": args["id"],
            "name": name,
            "status": status,
            "expected": args["expected"],
            "found": found,
            "hint": args["hint"] if explains else "",
            "excused": excused,
            "acts": args["acts"],
        }
        earlier = task_vars.get("labctl_checks") or []
        result.update(
            changed=False,
            labctl_check=check,
            msg=f"{status}: {name}" + (f" (found: {found})" if status != "PASS" and found else ""),
            ansible_facts={"labctl_checks": [*earlier, check]},
        )
        return result
