"""Every Molecule scenario under molecule/ passes `molecule test` (converge, idempotence, verify, cleanup)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, podman, remove_scenario_leftovers

pytestmark = [pytest.mark.podman, pytest.mark.slow]

SCENARIOS = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
# What each scenario may leave behind when it fails half-way, to be removed by label.
LEFTOVER_LABELS = {
    "ex1_network_dns": "ex1",
    "ex2_pod_mysql": "ex2",
    "ex3_three_tier": "ex3",
    "ex4_pod_limits": "ex4",
    "ex5_pid_share": "ex5",
    "host": "molecule-host",
}


def test_every_role_has_a_molecule_scenario():
    roles = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())
    assert sorted(SCENARIOS) == roles


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    try:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "molecule"), "test", "-s", scenario],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output[-6000:]
        assert "idempotence" in output and "Executed: Successful" in output
    finally:
        remove_scenario_leftovers(LEFTOVER_LABELS.get(scenario, scenario))
        podman("rm", "-f", "-t", "0", "labctl-molecule-host", check=False)
        podman("rmi", "localhost/labctl-molecule-build:1", check=False)
