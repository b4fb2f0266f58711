"""Action plugin behind labctl.lab.stop: end the run with one sentence, said as data in every language."""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.labctl.lab.plugins.module_utils import reasons

ARGUMENT_SPEC = {
    "reason": {"type": "str", "default": ""},
    "values": {"type": "dict", "default": {}},
    "said": {"type": "dict"},
    "exit_code": {"type": "int"},
}


def stop_said(args):
    """The said a stop's arguments give: `said` as it is, or `reason` with its `values`; None when wrong."""
    if args.get("said") is not None:
        return args["said"] if reasons.is_said(args["said"]) else None
    if args.get("reason") in reasons.TEXTS[reasons.DEFAULT_LANG]:
        return reasons.said(args["reason"], **(args.get("values") or {}))
    return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        said = stop_said(args)
        if said is None:  # a mistake in the role, not a sentence for the user
            given = args["reason"] or args["said"]
            raise AnsibleActionFail(f"labctl.lab.stop needs a reason of module_utils.reasons or a said, not {given!r}")
        result.update(failed=True, changed=False, msg=reasons.english(said), labctl_said=said)
        if args["exit_code"] is not None:
            result["labctl_exit_code"] = args["exit_code"]
        return result
