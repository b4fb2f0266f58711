"""Shared fixtures: the labctl command as a user runs it, and Podman as it really is."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SCENARIOS = ROOT / "tests" / "fixtures" / "scenarios"
ARTIFACTS = ROOT / "tests" / "artifacts"


def labctl_bin() -> str:
    """The labctl console script next to this interpreter (the one `pip install` made)."""
    candidate = Path(sys.executable).parent / "labctl"
    return str(candidate) if candidate.exists() else (shutil.which("labctl") or "labctl")


@dataclass
class Completed:
    rc: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run_labctl(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> Completed:
    full_env = {**os.environ, "LABCTL_SCENARIO_PATH": str(FIXTURE_SCENARIOS), "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([labctl_bin(), *args], capture_output=True, text=True, env=full_env, timeout=timeout)
    return Completed(proc.returncode, proc.stdout, proc.stderr)


def podman(*args: str, check: bool = True) -> str:
    proc = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def podman_json(*args: str):
    return json.loads(podman(*args) or "[]")


def remove_scenario_leftovers(scenario_id: str) -> None:
    """Remove by label whatever a scenario left, without labctl: the safety net of every test."""
    label = f"label=io.labctl.scenario={scenario_id}"
    for pod in podman("pod", "ps", "-q", "--filter", label, check=False).split():
        podman("pod", "rm", "-f", "-t", "0", pod, check=False)
    for ctr in podman("ps", "-aq", "--filter", label, check=False).split():
        podman("rm", "-f", "-t", "0", ctr, check=False)
    for vol in podman("volume", "ls", "-q", "--filter", label, check=False).split():
        podman("volume", "rm", "-f", vol, check=False)
    for net in podman("network", "ls", "-q", "--filter", label, check=False).split():
        podman("network", "rm", "-f", net, check=False)


@pytest.fixture
def clean_scenario() -> Iterator[callable]:
    """Yield a function that registers a scenario for cleanup; cleans it up even when the test fails."""
    registered: list[str] = []
    yield registered.append
    for scenario_id in registered:
        run_labctl("clean", scenario_id)
        remove_scenario_leftovers(scenario_id)
