"""Every Molecule scenario passes, and the exercises' shared scenario fails verify on a broken lab.

`molecule/exercise` is one scenario for every exercise (LABCTL_SCENARIO picks it). For each exercise
the test converges, checks idempotence, verifies, then breaks the lab on purpose and sees Molecule's
verify fail naming the broken check: a verify that passes whatever the checks say is a defect.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, podman, remove_scenario_leftovers

pytestmark = [pytest.mark.podman, pytest.mark.slow]

MOLECULE = str(Path(sys.executable).parent / "molecule")
EXERCISES = sorted(p.stem for p in (ROOT / "scenarios").glob("ex*.yml"))
# One way to break each exercise, and a word of the check that must then FAIL.
BREAK = {
    "ex1": (["network", "disconnect", "my-web-net", "client"], "client running on my-web-net"),
    "ex2": (["stop", "--time", "0", "webapp"], "container webapp running in pod db-app-pod"),
    "ex3": (["rm", "--force", "--time", "0", "text-logger"], "container text-logger running"),
    "ex4": (["rm", "--force", "--time", "0", "limited-c2"], "container limited-c2 running in pod limited-pod"),
    "ex5": (["pod", "rm", "--force", "--time", "0", "pid-share-pod"], "shares the PID namespace"),
}


def molecule(command: str, scenario: str, exercise: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "300"}
    if exercise:
        env["LABCTL_SCENARIO"] = exercise
    return subprocess.run(
        [MOLECULE, command, "-s", scenario], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )


def test_every_exercise_has_a_break_and_every_role_a_molecule_scenario():
    assert sorted(BREAK) == EXERCISES
    scenarios = {p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml")}
    assert scenarios == {"exercise", "host", "lab_build"}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_converges_idempotently_verifies_and_fails_verify_when_broken(exercise):
    breaking, broken_check = BREAK[exercise]
    try:
        for step in ("converge", "idempotence", "verify"):
            proc = molecule(step, "exercise", exercise)
            if step == "idempotence":
                assert_idempotent(proc)
            assert proc.returncode == 0, f"molecule {step} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
        podman(*breaking)
        proc = molecule("verify", "exercise", exercise)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, f"molecule verify passed on a broken {exercise}:\n{output[-4000:]}"
        assert broken_check in output, output[-4000:]
        proc = molecule("cleanup", "exercise", exercise)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    finally:
        molecule("destroy", "exercise", exercise)
        remove_scenario_leftovers(exercise)


def recap(output: str) -> dict[str, dict[str, int]]:
    """The last PLAY RECAP of an Ansible run's output: host -> {ok, changed, failed, …}. Molecule draws a
    box around Ansible's output (│, colours) and may wrap a host's line: both are undone first."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output).split("PLAY RECAP")[-1]
    text = " ".join(line.strip().lstrip("│").strip() for line in text.splitlines())
    text = text.split("Return code")[0]
    found = {}
    for host, counts in re.findall(r"(\S+)\s*:\s*((?:\w+=\d+\s*)+)", text):
        found[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
    return found


def assert_idempotent(proc: subprocess.CompletedProcess) -> None:
    """Molecule's idempotence step passed, and its own converge run changed nothing (from its recap)."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"molecule idempotence failed:\n{output[-6000:]}"
    counts = recap(output)
    assert counts, f"no PLAY RECAP in the idempotence run:\n{output[-3000:]}"
    assert all(c["changed"] == 0 and c["failed"] == 0 and c["ok"] > 0 for c in counts.values()), counts


@pytest.mark.timeout(900)
@pytest.mark.parametrize("scenario", ["host", "lab_build"])
def test_molecule_scenario(scenario):
    # The scenario's own test sequence, a step at a time: idempotence is judged from its own run.
    sequence = yaml.safe_load((ROOT / "molecule" / scenario / "molecule.yml").read_text())["scenario"]["test_sequence"]
    try:
        for step in sequence:
            proc = molecule(step, scenario)
            if step == "idempotence":
                assert_idempotent(proc)
            assert proc.returncode == 0, f"molecule {step} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
        assert "idempotence" in sequence and "verify" in sequence
    finally:
        remove_scenario_leftovers("molecule-host")
        podman("rm", "-f", "-t", "0", "labctl-molecule-host", check=False)
        podman("rmi", "localhost/labctl-molecule-build:1", check=False)
