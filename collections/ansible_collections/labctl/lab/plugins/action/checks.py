"""Action plugin behind labctl.lab.checks: judge an exercise's list of checks against its gathered
state, in one task, and report every check as structured data (never a task failure)."""

import glob
import os

import yaml
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.labctl.lab.plugins.module_utils import judge, texts

ARGUMENT_SPEC = {
    "checks": {"type": "list", "elements": "dict", "required": True},
    "state": {"type": "dict", "default": {}},
    "texts": {"type": "path"},
}
# The collection's own phrases (what assertions found), one file per language.
PHRASES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "texts")


def load_texts(folder):
    """{lang: {key: ...}} from every <lang>.yml of a folder (a language's file may be missing)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.yml"))):
        lang = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path, encoding="utf-8") as handle:
                found[lang] = yaml.safe_load(handle) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise AnsibleActionFail(f"Cannot read the texts {path}: {exc}") from exc
        if not isinstance(found[lang], dict):
            raise AnsibleActionFail(f"The texts {path} must be a mapping of check ids (or phrase keys).")
    return found


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _texts_dir(self, given):
        if given:
            return given
        role = getattr(self._task, "_role", None)
        if role is None:
            raise AnsibleActionFail("labctl.lab.checks outside a role needs `texts:` (the folder of <lang>.yml).")
        return os.path.join(role._role_path, "checks")

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        # A mistyped check, assertion or argument is an error in the role, not a FAIL for the student.
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        problems = judge.check_problems(args["checks"])
        if problems:
            raise AnsibleActionFail("; ".join(problems))
        look_only = boolean(self._templar.template(task_vars.get("lab_look_only", False)), strict=False)
        lang = texts.language(self._templar.template(task_vars.get("lab_lang", texts.DEFAULT_LANG)))
        reported = judge.judge(
            args["checks"],
            args["state"],
            load_texts(self._texts_dir(args["texts"])),
            load_texts(PHRASES_DIR),
            lang=lang,
            look_only=look_only,
        )
        earlier = task_vars.get("labctl_checks") or []
        lines = [
            f"{c['status']}: {c['name']}" + (f" (found: {c['found']})" if c["status"] != "PASS" else "")
            for c in reported
        ]
        result.update(
            changed=False,
            labctl_checks_reported=reported,
            msg="\n".join(lines),
            ansible_facts={"labctl_checks": [*earlier, *reported]},
        )
        return result
