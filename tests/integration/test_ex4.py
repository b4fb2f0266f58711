"""Exercise 4 on real Podman: pod limits enforced as root on this machine, not enforced rootless."""

import pytest

from tests.conftest import podman, podman_json, run_labctl

pytestmark = pytest.mark.podman

CONTAINERS = ("limited-c1", "limited-c2")


def ids() -> dict[str, str]:
    return {c["Names"][0]: c["Id"] for c in podman_json("ps", "-a", "--format", "json") if c["Names"][0] in CONTAINERS}


def by_name(result) -> dict[str, dict]:
    return {c["name"]: c for c in result.json()["checks"]}


def test_ex4_full_cycle_as_root(clean_scenario):
    clean_scenario("ex4")
    assert run_labctl("clean", "ex4").rc == 0
    up = run_labctl("up", "ex4")
    assert up.rc == 0, up.stderr
    first = ids()
    assert set(first) == set(CONTAINERS)
    pod = podman_json("pod", "inspect", "limited-pod")
    memory_file = f"/sys/fs/cgroup/memory{pod['CgroupPath']}/memory.limit_in_bytes"
    with open(memory_file) as handle:
        assert handle.read().strip() == str(200 * 1024 * 1024)

    verify = run_labctl("verify", "ex4", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    checks = by_name(verify)
    assert checks["memory limit of limited-pod enforced (200m)"]["status"] == "PASS"
    assert "memory.limit_in_bytes = 209715200" in checks["memory limit of limited-pod enforced (200m)"]["found"]
    assert checks["CPU limit of limited-pod enforced (1.0 CPU)"]["status"] == "PASS"
    probe = checks["a 500 MiB allocation in the pod is stopped, the other containers keep running"]
    assert probe["status"] == "PASS" and "OOM-killed" in probe["found"]
    stats = checks["podman pod stats limited-pod"]
    assert stats["status"] == "INFO" and "limited-c1" in stats["found"]
    assert ids() == first, "verify leaves the containers as they were"
    assert not podman_json("ps", "-a", "--format", "json", "--filter", "name=limited-pod-memory-probe")

    again = run_labctl("up", "ex4", "--json")
    assert again.rc == 0 and again.json()["reports"]["localhost"]["in_place"], again.json()["reports"]
    # `--converge` changing nothing is Molecule's idempotence step, and verify of a fresh up its verify (test_molecule).

    reset = run_labctl("reset", "ex4")
    assert reset.rc == 0, reset.stderr
    assert not set(ids().values()) & set(first.values())

    clean = run_labctl("clean", "ex4")
    assert clean.rc == 0, clean.stderr
    assert podman("pod", "ps", "-q", "--filter", "name=^limited-pod$").strip() == ""
    assert ids() == {}
    assert podman("ps", "-aq", "--filter", "label=io.labctl.scenario=ex4").strip() == ""
    assert "0 changed" in run_labctl("clean", "ex4").stdout


def test_a_pod_without_limits_fails_the_limit_checks_only(clean_scenario):
    clean_scenario("ex4")
    run_labctl("clean", "ex4")
    podman("pod", "create", "--name", "limited-pod", "-p", "8082:80")
    for name in CONTAINERS:
        podman(
            "run", "-d", "--pod", "limited-pod", "--name", name, "docker.io/library/alpine:latest", "sleep", "infinity"
        )
    verify = run_labctl("verify", "ex4", "--json")
    assert verify.rc == 1
    checks = by_name(verify)
    memory = checks["memory limit of limited-pod enforced (200m)"]
    assert memory["status"] == "FAIL" and memory["found"].startswith("no limit")
    assert "--memory 200m --cpus 1.0" in memory["hint"]
    assert checks["CPU limit of limited-pod enforced (1.0 CPU)"]["status"] == "FAIL"
    probe = checks["a 500 MiB allocation in the pod is stopped, the other containers keep running"]
    assert probe["status"] == "FAIL" and "nothing stopped it" in probe["found"]
    for name in (
        "pod limited-pod running",
        "container limited-c1 running in pod limited-pod",
        "container limited-c2 running in pod limited-pod",
    ):
        assert checks[name]["status"] == "PASS", checks[name]


def test_rootless_on_cgroup_v1_reports_limits_as_not_enforced(rootless_student):
    student = rootless_student
    host = student.labctl("host", "check", "--json")
    cgroup_report = next(c for c in host.json()["checks"] if c["name"] == "cgroups")
    assert "NOT enforced: rootless Podman cannot apply limits on cgroup v1" in cgroup_report["found"]

    up = student.labctl("up", "ex4")
    assert up.rc == 0, up.stdout + up.stderr
    assert "NOT enforced: rootless Podman cannot apply limits on cgroup v1" in up.stdout

    verify = student.labctl("verify", "ex4", "--json")
    assert verify.rc == 5, verify.stdout + verify.stderr
    checks = by_name(verify)
    for name in (
        "memory limit of limited-pod enforced (200m)",
        "CPU limit of limited-pod enforced (1.0 CPU)",
        "a 500 MiB allocation in the pod is stopped, the other containers keep running",
    ):
        assert checks[name]["status"] == "NOT_ENFORCED", checks[name]
        assert checks[name]["found"].startswith("not enforced here: rootless Podman cannot apply limits on cgroup v1")
    assert (
        "allocation succeeded"
        in checks["a 500 MiB allocation in the pod is stopped, the other containers keep running"]["found"]
    )
    assert checks["pod limited-pod running"]["status"] == "PASS"
    assert "not supported in rootless mode" in checks["podman pod stats limited-pod"]["found"]

    text = student.labctl("verify", "ex4")
    assert text.rc == 5 and "NOT ENFORCED" in text.stdout

    clean = student.labctl("clean", "ex4")
    assert clean.rc == 0, clean.stderr
    assert student.podman("pod", "ps", "-q").stdout.strip() == ""
