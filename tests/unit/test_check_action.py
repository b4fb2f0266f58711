"""The check action's verdicts (pure logic) and its argument validation (a real ansible-playbook run)."""

import importlib.util
import re

import pytest

from tests.conftest import ROOT
from tests.unit import collection

spec = importlib.util.spec_from_file_location(
    "labctl_check_action", ROOT / "collections/ansible_collections/labctl/lab/plugins/action/check.py"
)
check_action = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_action)

BASE = {k: v.get("default") for k, v in check_action.ARGUMENT_SPEC.items()} | {"name": "n"}


@pytest.mark.parametrize(
    ("args", "look_only", "expected"),
    [
        ({"that": True}, False, ("PASS", "", False)),
        ({"that": False, "found": "x"}, False, ("FAIL", "x", False)),
        ({"that": False, "severity": "warn"}, False, ("WARN", "", False)),
        ({"severity": "info", "found": "v2"}, False, ("INFO", "v2", False)),
        # A precondition failed: a SKIP that counts as a failure.
        ({"skip_reason": "client is not running"}, False, ("SKIP", "client is not running", False)),
        # The lab went further than the check needs: a SKIP that is no failure.
        ({"skip_reason": "killed in step 4", "skip_is_fine": True}, False, ("SKIP", "killed in step 4", True)),
        (
            {"not_enforced": "rootless on v1", "found": "no limit"},
            False,
            ("NOT_ENFORCED", "rootless on v1; measured: no limit", False),
        ),
        (
            {"acts": "restarts the pod", "that": True},
            True,
            ("SKIP", "not run with --look-only: this check restarts the pod", True),
        ),
        ({"acts": "restarts the pod", "that": True}, False, ("PASS", "", False)),
    ],
)
def test_outcome(args, look_only, expected):
    assert check_action.outcome({**BASE, **args}, look_only) == expected


def test_a_mistyped_argument_fails_the_task_instead_of_grading(tmp_path):
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - labctl.lab.check: {name: n, that: true, severity: fatal}\n"
    )
    proc = collection.playbook(playbook)
    assert proc.returncode != 0
    assert "severity" in proc.stdout and "fatal" in proc.stdout


@pytest.mark.parametrize("check_id", ["", "pod-running", "web-answers", "ex2", "data-survives-restart", "a1-b2"])
def test_a_check_id_is_a_slug(check_id):
    assert check_action.id_problem(check_id) == ""


@pytest.mark.parametrize(
    "check_id",
    ["Pod-running", "pod_running", "pod running", "-pod", "pod-", "pod--running", "8080-open", "x" * 41, "pod/1"],
)
def test_a_check_id_that_is_no_slug_is_refused(check_id):
    assert check_action.id_problem(check_id)


def test_a_bad_check_id_fails_the_task_instead_of_grading(tmp_path):
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - labctl.lab.check: {id: Port_8080, name: n, that: true}\n"
    )
    proc = collection.playbook(playbook)
    assert proc.returncode != 0
    assert "Port_8080" in proc.stdout and "lower-case" in proc.stdout


CHECK_FILES = sorted([*ROOT.glob("roles/*/tasks/*.yml"), *ROOT.glob("tests/fixtures/scenarios/roles/*/tasks/*.yml")])


@pytest.mark.parametrize("path", [p for p in CHECK_FILES if "labctl.lab.check:" in p.read_text()], ids=str)
def test_every_check_has_a_stable_id(path):
    """Each check names its column: an id line right under `labctl.lab.check:`, without a port in it."""
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() == "labctl.lab.check:":
            following = lines[number + 1].strip()
            assert following.startswith("id: "), f"{path}:{number + 2}: the check has no id"
            assert "_port" not in following and not re.search(r"\b\d+\b", following), following
