"""Exercise 5 end to end on real Podman: a pod sharing the PID namespace, a signal across containers."""

import re
import time

import pytest

from tests.conftest import podman, podman_json, run_labctl

pytestmark = pytest.mark.podman

POD = "pid-share-pod"
HOLDER = "process-holder"
# Every container name of the exercise: the course's, and verify's temporary ones.
NAMES = (
    HOLDER,
    "process-viewer",
    "process-viewer-again",
    "process-holder-probe",
    "process-viewer-probe",
    "process-killer-probe",
)
CHECK_SHARE = f"pod {POD} shares the PID namespace (--share pid)"
CHECK_HOLDER = f"container {HOLDER} in pod {POD}, running (or killed in step 4)"
CHECK_VIEWER = f"a temporary container in pod {POD} sees `sleep 3600` of {HOLDER} (`ps aux`)"
CHECK_SIGNAL = f"`kill <PID>` from a temporary container ends a process of another container in pod {POD} (step 4)"


def ids() -> dict[str, str]:
    found = {c["Names"][0]: c["Id"] for c in podman_json("ps", "-a", "--format", "json") if c["Names"][0] == HOLDER}
    pods = [p["Id"] for p in podman_json("pod", "ps", "--format", "json") if p["Name"] == POD]
    return {**found, **({"pod": pods[0]} if pods else {})}


def holder() -> dict:
    return podman_json("inspect", HOLDER)[0]


def sleep_pid(ps_aux: str) -> str:
    """The PID of `sleep 3600` in busybox `ps aux` (PID USER [TIME] COMMAND), as the course's step 4.1 finds it."""
    pids = re.findall(r"(?m)^\s*(\d+)\s+\S+\s+(?:\d+:\d\d\s+)?sleep 3600\s*$", ps_aux)
    assert len(pids) == 1, ps_aux
    return pids[0]


def ex5_left() -> dict[str, list[str]]:
    label = "label=io.labctl.scenario=ex5"
    return {
        "pod": podman("pod", "ps", "-q", "--filter", f"name=^{POD}$").split(),
        "containers": [n for n in NAMES if podman_json("ps", "-a", "--format", "json", "--filter", f"name=^{n}$")],
        "by label": (podman("ps", "-aq", "--filter", label) + podman("pod", "ps", "-q", "--filter", label)).split(),
    }


def probes_left() -> list[str]:
    names = podman("ps", "-a", "--format", "{{.Names}}", "--filter", f"pod={POD}").split()
    return [n for n in names if n.endswith("-probe")]


def test_ex5_full_cycle(clean_scenario):
    clean_scenario("ex5")
    assert run_labctl("clean", "ex5").rc == 0

    up = run_labctl("up", "ex5")
    assert up.rc == 0, up.stdout + up.stderr
    first = ids()
    assert set(first) == {"pod", HOLDER}
    pod = podman_json("pod", "inspect", POD)
    assert pod["SharedNamespaces"] == ["pid"], "the course's --share pid shares the PID namespace only"
    assert pod["Labels"]["io.labctl.scenario"] == "ex5" and pod["Labels"]["io.labctl.managed"] == "true"
    ctr = holder()
    assert ctr["State"]["Running"] and ctr["Pod"] == pod["Id"]
    assert ctr["Config"]["Cmd"] == ["sleep", "3600"]
    assert ctr["Config"]["Labels"]["io.labctl.scenario"] == "ex5"
    # The course's step 3, by hand: a second container of the pod sees the sleep (not PID 1: catatonit is).
    seen = podman("run", "--rm", "--pod", POD, "--name", "process-viewer", "alpine", "ps", "aux")
    assert sleep_pid(seen) != "1" and re.search(r"(?m)^\s*1\s+\S+\s+.*catatonit", seen), seen

    verify = run_labctl("verify", "ex5", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    checks = verify.json()["checks"]
    assert [c["name"] for c in checks] == [CHECK_SHARE, CHECK_HOLDER, CHECK_VIEWER, CHECK_SIGNAL]
    assert {c["status"] for c in checks} == {"PASS"}, checks
    assert ids() == first and holder()["State"]["Running"], "verify leaves process-holder running, untouched"
    assert probes_left() == [], "verify removes its temporary containers"

    again = run_labctl("up", "ex5")
    assert again.rc == 0 and "already in place" in again.stdout, again.stdout + again.stderr
    # `--converge` changing nothing is Molecule's idempotence step, and verify of a fresh up its verify (test_molecule).

    reset = run_labctl("reset", "ex5")
    assert reset.rc == 0, reset.stdout + reset.stderr
    fresh = ids()
    assert set(fresh) == {"pod", HOLDER} and not set(fresh.values()) & set(first.values())

    clean = run_labctl("clean", "ex5")
    assert clean.rc == 0, clean.stdout + clean.stderr
    assert ex5_left() == {"pod": [], "containers": [], "by label": []}
    again = run_labctl("clean", "ex5", "--json")
    assert again.rc == 0, again.stderr
    assert again.json()["changed"] == 0, again.json()["changed_tasks"]


def test_verify_passes_after_the_course_kills_sleep_from_another_container(clean_scenario):
    """The course's step 4 leaves process-holder Exited (143): the exercise done, not a failure."""
    clean_scenario("ex5")
    assert run_labctl("up", "ex5").rc == 0
    before = ids()

    ps_aux = podman("run", "--rm", "--pod", POD, "--name", "process-viewer-again", "alpine", "ps", "aux")
    podman("run", "--rm", "--pod", POD, "alpine", "kill", sleep_pid(ps_aux))
    assert podman("wait", HOLDER).strip() == "143"
    assert "Exited (143)" in podman("ps", "--filter", f"name={HOLDER}", "--all")

    verify = run_labctl("verify", "ex5", "--json")
    result = verify.json()
    checks = {c["name"]: c for c in result["checks"]}
    assert [c["status"] for c in checks.values()] == ["PASS", "PASS", "SKIP", "PASS"], result["checks"]
    assert checks[CHECK_HOLDER]["found"] == "Exited (143): killed from another container, as in step 4"
    assert "Exited (143): killed from another container, as in step 4" in checks[CHECK_VIEWER]["found"]
    assert "Exited (143)" in checks[CHECK_SIGNAL]["found"], "step 4 is still tried, on a disposable holder"
    # labctl verify exits 0 when no check FAILs: a SKIP for a reason that is no failure is fine.
    assert verify.rc == 0 and result["passed"], verify.stdout + verify.stderr

    after = holder()
    assert ids() == before and after["State"]["Status"] == "exited" and after["State"]["ExitCode"] == 143, (
        "verify does not restart process-holder"
    )
    assert probes_left() == []


def test_verify_names_a_pod_created_without_share_pid(clean_scenario):
    """A student's pod without --share pid: the containers do not see (or signal) each other's processes."""
    clean_scenario("ex5")
    assert run_labctl("clean", "ex5").rc == 0
    podman("pod", "create", "--name", POD)
    podman("run", "-d", "--pod", POD, "--name", HOLDER, "alpine", "sleep", "3600")
    before = ids()

    verify = run_labctl("verify", "ex5", "--json")
    assert verify.rc == 1, verify.stdout + verify.stderr
    checks = {c["name"]: c for c in verify.json()["checks"]}
    share = checks[CHECK_SHARE]
    assert share["status"] == "FAIL" and share["found"] == f"pod {POD} shares ipc, net, uts"
    assert f"podman pod rm -f {POD}" in share["hint"]
    assert f"podman pod create --name {POD} --share pid" in share["hint"]
    assert checks[CHECK_HOLDER]["status"] == "PASS", checks[CHECK_HOLDER]
    viewer = checks[CHECK_VIEWER]
    assert viewer["status"] == "FAIL" and "sleep 3600" not in viewer["found"], viewer
    assert "--share pid" in viewer["hint"]
    signal = checks[CHECK_SIGNAL]
    assert signal["status"] == "FAIL" and "no temporary container of the pod sees" in signal["found"], signal
    assert ids() == before and holder()["State"]["Running"]
    assert probes_left() == []

    # Here sleep is PID 1 of its container and ignores SIGTERM; clean removes it without the 10 s wait.
    start = time.monotonic()
    clean = run_labctl("clean", "ex5")
    took = time.monotonic() - start
    assert clean.rc == 0, clean.stdout + clean.stderr
    assert took < 10, f"clean took {took:.1f} s: it waited for the SIGTERM-deaf sleep"
    assert ex5_left()["pod"] == [] and ex5_left()["containers"] == []

    up = run_labctl("up", "ex5")
    assert up.rc == 0, up.stdout + up.stderr
    assert podman_json("pod", "inspect", POD)["SharedNamespaces"] == ["pid"]
    assert run_labctl("verify", "ex5").rc == 0
