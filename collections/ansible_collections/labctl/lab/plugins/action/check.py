"""Action plugin behind labctl.lab.check: a verify check as structured data, never a task failure."""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        name = str(args.get("name") or self._task.get_name())
        severity = str(args.get("severity") or "fail")
        skip_reason = args.get("skip_reason")
        not_enforced = args.get("not_enforced")
        if skip_reason:
            status, found = "SKIP", str(skip_reason)
        elif not_enforced:
            measured = str(args.get("found") or "")
            status, found = "NOT_ENFORCED", str(not_enforced) + (f"; measured: {measured}" if measured else "")
        elif severity == "info":
            status, found = "INFO", str(args.get("found") or "")
        else:
            passed = boolean(args.get("that"), strict=False)
            status = "PASS" if passed else ("WARN" if severity == "warn" else "FAIL")
            found = str(args.get("found") or "")
        check = {
            "name": name,
            "status": status,
            "expected": str(args.get("expected") or ""),
            "found": found,
            "hint": str(args.get("hint") or "") if status in ("FAIL", "WARN", "NOT_ENFORCED") else "",
        }
        earlier = (task_vars or {}).get("labctl_checks") or []
        result.update(
            changed=False,
            labctl_check=check,
            msg=f"{status}: {name}" + (f" (found: {found})" if status != "PASS" and found else ""),
            ansible_facts={"labctl_checks": [*earlier, check]},
        )
        return result
