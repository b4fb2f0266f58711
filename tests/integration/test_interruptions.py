"""An interrupted labctl leaves nothing the next `up` cannot converge.

SIGKILL at four points of ex2's `up` (during the build, after the pod exists, while waiting for the
database, while waiting for the app): the next `up` finishes the lab and `verify` passes. Ctrl-C
stops Ansible and its workers, says how to continue and exits 130.
"""

import signal
import subprocess
import time

import pytest

from tests.conftest import labctl_bin, run_labctl

pytestmark = [pytest.mark.podman, pytest.mark.slow]


def exists(*args: str) -> bool:
    return subprocess.run(["podman", *args], capture_output=True).returncode == 0


def building() -> bool:
    return subprocess.run(["pgrep", "-f", "podman build"], capture_output=True).returncode == 0


POINTS = {
    "during the build": building,
    "after the pod exists": lambda: exists("pod", "exists", "db-app-pod"),
    "while waiting for the database": lambda: exists("container", "exists", "database"),
    "while waiting for the app": lambda: exists("container", "exists", "webapp"),
}


def run_until(condition, deadline_s: float = 240) -> subprocess.Popen:
    """Start `labctl up ex2` and return it once the condition holds (polling, with a deadline)."""
    proc = subprocess.Popen([labctl_bin(), "up", "ex2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert proc.poll() is None, f"up ended before the point: {proc.communicate()}"
        assert time.monotonic() < deadline, "the point was never reached"
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_at_a_point_of_up_then_up_converges(clean_scenario, cold_build, point):
    clean_scenario("ex2")
    assert run_labctl("clean", "ex2").rc == 0
    if point == "during the build":
        cold_build("localhost/my-flask-app:1.1")  # a build from nothing: long enough to be killed in
    proc = run_until(POINTS[point])
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)

    up = run_labctl("up", "ex2")  # waits for (or stops) the Ansible the killed labctl left behind
    assert up.rc == 0, up.stdout + up.stderr
    verify = run_labctl("verify", "ex2", "--look-only")
    assert verify.rc == 0, verify.stdout + verify.stderr


def test_ctrl_c_stops_ansible_says_how_to_continue_and_exits_130(clean_scenario):
    clean_scenario("ex2")
    assert run_labctl("clean", "ex2").rc == 0
    proc = run_until(POINTS["while waiting for the database"])
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Interrupted: up ex2 was stopped part-way; run `labctl up ex2` again" in err
    assert "Traceback" not in err
    left = subprocess.run(["pgrep", "-f", "up-ex2"], capture_output=True, text=True).stdout.split()
    assert left == [], "Ansible of the interrupted run is still running"
    up = run_labctl("up", "ex2")
    assert up.rc == 0, up.stdout + up.stderr
