"""labctl on a real cgroup v2 + systemd machine: the throw-away Debian 12 VM of tests/vm/vm.py.

Booted once per session and stopped at its end, even when a test fails. Driven from this machine with
`-i`, as a trainer would from their own account (`labctl-trainer`, a normal user here: labctl needs no
root on the controller): root logs in to the VM with a key (so --become is not needed), `student` and
`student2` are normal users there. They share one VM and its session fixtures (set up, images); each
test removes in the end what holds the exercise's port, so that any of them also passes alone (-k).

scripts/test runs these tests beside tests/integration: they share nothing of this host but its CPU.
The disk is built before both start (LABCTL_TEST_VM_DISK names it), from this host's images; after
that nothing here reads or changes root's Podman store or labctl's state on this host.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, Student, commands_without_podman, remove_account, run_labctl, stop_account
from tests.vm import vm as vmlib

pytestmark = [pytest.mark.vm, pytest.mark.slow, pytest.mark.timeout(1200)]  # TCG, beside the other tests

# Root's store in the VM holds this host's stand-in images and ex3's built images from the start
# (vm.PRELOAD, put in at build time): labctl on the VM finds them current and neither copies nor builds.
# A rootless user's store gets what the tests need from load_images.
USER_IMAGES = ["docker.io/library/alpine:latest"]
TIMES: dict[str, float] = {}
TRAINER = Student("labctl-trainer")  # the account labctl drives the VM from
TRAINER_ENV: dict[str, str] = {}  # its PATH: labctl's, and every command of /usr/bin but podman


def _trainer_account(run: Path) -> None:
    """The trainer's own account on this host, made afresh (its labctl state starts empty), on a laptop
    without Podman: labctl on the controller hands over no images then (the VM has them), and nothing
    of it touches this host's Podman, which the tests beside these use."""
    remove_account(TRAINER.name)
    subprocess.run(["useradd", "--create-home", TRAINER.name], check=True, capture_output=True)
    TRAINER_ENV["PATH"] = f"{Path(sys.executable).parent}:{commands_without_podman(run)}"


def _keep_trainer_runs() -> None:
    """The trainer's run folders, copied for a failure's full story before the account goes: only once
    its processes are stopped, and only through folders that are no links (root follows none of the
    account's links; links inside are copied as links)."""
    stop_account(TRAINER.name)
    kept = ROOT / "tests" / "artifacts" / "vm-runs"
    shutil.rmtree(kept, ignore_errors=True)
    runs = Path(f"/home/{TRAINER.name}/.local/state/labctl/runs")
    folders = [runs, *list(runs.parents)[:4]]  # runs, labctl, state, .local, the home
    if all(f.exists() and not f.is_symlink() for f in folders):
        shutil.copytree(runs, kept, symlinks=True)


def _prerequisites() -> str:
    missing = [b for b in ("qemu-system-x86_64", "mmdebstrap", "ssh", "mkfs.ext4") if not shutil.which(b)]
    if os.geteuid() != 0:
        return "the VM is built as root (mmdebstrap, chroot)"
    if missing:
        return f"missing {', '.join(missing)}: apt-get install {' '.join(vmlib.HOST_PACKAGES)}"
    if not list(Path("/boot").glob("vmlinuz-*-cloud-amd64")):
        return "no Debian cloud kernel: apt-get install linux-image-cloud-amd64"
    return ""


@pytest.fixture(scope="session")
def vm():
    """The booted VM (vm.inventory('root'|'student'|'student2')); qemu stops at the end, whatever happens."""
    why = _prerequisites()
    if why:
        pytest.fail(f"the VM tests cannot run here: {why}")
    start = time.monotonic()
    disk = os.environ.get("LABCTL_TEST_VM_DISK")  # scripts/test built it before the other tests began
    if not disk:
        # ex3's images, built here as labctl builds them (a no-op when they are current): the disk carries them.
        built = run_labctl("images", "pull", "ex3")
        assert built.rc == 0, built.stdout + built.stderr
        disk = vmlib.build()
    TIMES["build (or cache)"] = time.monotonic() - start
    run = Path(tempfile.mkdtemp(prefix="labctl-vm-"))
    shutil.rmtree(run)  # up() makes it afresh
    machine = None
    try:
        start = time.monotonic()
        machine = vmlib.up(run, disk=Path(disk))
        TIMES["boot to SSH"] = time.monotonic() - start
        atexit.register(vmlib.down, machine)  # should the session die without its finalizers
        _trainer_account(run)
        vmlib.hand_to(machine, TRAINER.name)
        yield machine
    finally:
        if machine is not None:
            vmlib.down(machine)
        shutil.rmtree(run, ignore_errors=True)
        _keep_trainer_runs()
        remove_account(TRAINER.name)
        print("\n[vm] seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in TIMES.items()))


def timed(label: str, *args: str, timeout: int = 1200):
    start = time.monotonic()
    result = TRAINER.labctl(*args, env=TRAINER_ENV, timeout=timeout)
    TIMES[label] = time.monotonic() - start
    return result


def said(result) -> str:
    """What a failed labctl run said: its failures (--json puts them on stdout), its errors, its run folder."""
    try:
        data = result.json()
        machines = data.get("machines", {}) if isinstance(data, dict) else {}
        told = {k: data.get(k) for k in ("failures", "artifacts") if isinstance(data, dict) and k in data}
        told["machines"] = {h: {k: v for k, v in m.items() if k != "checks"} for h, m in machines.items()}
        text = json.dumps(told, indent=1)
    except ValueError:
        text = result.stdout[-3000:]
    return f"exit {result.rc}: {text[-6000:]}\n{result.stderr[-3000:]}"


def checks(result) -> dict[str, dict]:
    """The checks of a --json result, by name."""
    data = result.json()
    found = {}
    for host in data.get("hosts", [data]) if isinstance(data, dict) else []:
        for check in host.get("checks", []) if isinstance(host, dict) else []:
            found[check["name"]] = check
    if not found:
        for check in data.get("checks", []):
            found[check["name"]] = check
    return found


def test_the_vm_runs_systemd_on_cgroup_v2(vm):
    out = vm.ssh("stat -fc %T /sys/fs/cgroup; cat /proc/1/comm; podman --version").stdout.split("\n")
    assert out[0] == "cgroup2fs"
    assert out[1] == "systemd"
    assert out[2].startswith("podman version 4.")


@pytest.fixture(scope="session")
def set_up(vm):
    """`labctl host setup --lab-user student` on the VM, once (the first rootless Podman call comes after it)."""
    result = timed("host setup", "host", "setup", "-i", str(vm.inventory()), "--lab-user", "student", "--json")
    assert result.rc == 0, said(result)
    return result


def test_host_setup_on_v2_with_systemd(vm, set_up):
    found = checks(set_up)
    text = json.dumps(found)
    assert "cgroups" in found, text
    assert found["cgroups"]["found"].startswith("v2;"), found["cgroups"]
    assert "pod resource limits enforced" in found["cgroups"]["found"]
    # crun starts containers here: no runtime fix written.
    assert "Podman runtime configured" not in found, found.get("Podman runtime configured")
    assert "systemd timers" in found["healthchecks"]["found"]
    user = found["rootless Podman for student on this host"]
    assert user["status"] == "PASS", user
    assert "delegated to student: cpu memory pids" in user["found"]
    assert "pod limits enforced" in user["found"]
    assert "lingers (labctl enabled it now)" in user["found"]
    assert "storage overlay" in user["found"]
    # What the report says is what the machine has.
    assert vm.ssh("test -e /var/lib/systemd/linger/student && echo yes").stdout.strip() == "yes"
    assert vm.ssh("podman info --format '{{.Store.GraphDriverName}}'", user="student").stdout.strip() == "overlay"


@pytest.fixture(scope="session")
def images(vm, set_up):
    """The images the rootless tests use, in student's store (a stand-in for labctl copying them)."""
    start = time.monotonic()
    vmlib.load_images(vm, USER_IMAGES, users=("student",))
    TIMES["images copied"] = time.monotonic() - start


def test_ex3_healthy_through_systemd_timers_alone(vm, images):
    # The role's deadlines for a slow machine, as a trainer would give them: under TCG, beside the other
    # tests, the course's healthchecks (3 s timeout, every 15 s) can miss the first minute.
    slow = ["--var", "ex3_three_tier_health_wait_seconds=300", "--var", "ex3_three_tier_http_wait_seconds=120"]
    up = timed("ex3 up (root)", "up", "ex3", "-i", str(vm.inventory()), *slow, "--json")
    assert up.rc == 0, said(up)

    # Nobody runs `podman healthcheck run` now: the health log gets new runs from the timers alone (Podman
    # keeps the last five runs, so it is the newest run's start that moves).
    def health():
        out = vm.ssh("podman inspect text-api text-frontend --format json").stdout
        states = [c["State"].get("Health") or c["State"].get("Healthcheck") or {} for c in json.loads(out)]
        return [max((r["Start"] for r in s.get("Log") or []), default="") for s in states], [
            s.get("Status") for s in states
        ]

    before, _ = health()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(10)
        after, status = health()
        if all(a > b for a, b in zip(after, before, strict=True)) and status == ["healthy", "healthy"]:
            break
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    # Under TCG an exec can outlast the course's 3 s healthcheck timeout now and then: verify reads the
    # health of a moment when Podman reports both healthy.
    assert status == ["healthy", "healthy"], status
    ids = vm.ssh("podman inspect text-api text-frontend --format '{{.Id}}'").stdout.split()
    timers = vm.ssh("systemctl list-timers --all --no-legend").stdout
    assert all(i in timers for i in ids), timers  # Podman's transient timers, one per container
    verify = timed("ex3 verify (root)", "verify", "ex3", "-i", str(vm.inventory()), "--json")
    found = checks(verify)
    assert verify.rc == 0, json.dumps(found, indent=1)
    assert found["container text-api healthy"]["status"] == "PASS"
    assert "systemd timer" in found["container text-api healthy"]["expected"]
    # Leave port 8089 and the memory to ex4 (a fresh machine's pods are cheap to drop by hand).
    vm.ssh("podman pod rm -f -t 0 text-app-pod")


LIMITS = ("memory limit of limited-pod enforced (200m)", "CPU limit of limited-pod enforced (1.0 CPU)")
PROBE = "a 500 MiB allocation in the pod is stopped, the other containers keep running"


def test_ex4_limits_enforced_as_root(vm, images):
    try:
        up = timed("ex4 up (root)", "up", "ex4", "-i", str(vm.inventory()), "--json")
        assert up.rc == 0, said(up)
        verify = timed("ex4 verify (root)", "verify", "ex4", "-i", str(vm.inventory()), "--json")
        found = checks(verify)
        assert verify.rc == 0, json.dumps(found, indent=1)
        for name in (*LIMITS, PROBE):
            assert found[name]["status"] == "PASS", found[name]
        assert "memory.max = 209715200" in found[LIMITS[0]]["found"]
        assert "cpu.max = 100000 100000" in found[LIMITS[1]]["found"]
        assert "cgroup v1" not in found["podman pod stats limited-pod"]["found"]
    finally:
        vm.ssh("podman pod rm -f -t 0 limited-pod")  # its port 8082, for the students' pods after it


def test_ex4_cpu_limit_not_enforced_without_cpu_delegation(vm, images):
    """student2's manager is delegated memory and pids only: the CPU limit is NOT ENFORCED, with the reason."""
    # Delegate= lists add up: the empty one first resets the list of user@.service (cpu memory pids).
    vm.ssh(
        "d=/etc/systemd/system/user@1001.service.d && mkdir -p $d && "
        "printf '[Service]\\nDelegate=\\nDelegate=memory pids\\n' > $d/delegate.conf"
        " && systemctl daemon-reload && loginctl enable-linger student2 && systemctl restart user@1001.service"
    )
    delegated = vm.ssh("cat /sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service/cgroup.controllers").stdout
    assert delegated.split() == ["memory", "pids"], delegated
    vmlib.load_images(vm, USER_IMAGES, users=("student2",))
    # The lab as a student builds it by hand (the course's commands); verify grades it whoever built it.
    try:
        vm.ssh(
            "podman pod create --name limited-pod --memory 200m --cpus 1.0 -p 8082:80 >/dev/null && "
            "podman run -d --pod limited-pod --name limited-c1 alpine sleep infinity >/dev/null && "
            "podman run -d --pod limited-pod --name limited-c2 alpine sleep infinity >/dev/null",
            user="student2",
        )
        # labctl connects as student2 over SSH (no root, no --become): verify reads student2's own store.
        inventory = str(vm.inventory("student2"))
        verify = timed("ex4 verify (student2, no cpu)", "verify", "ex4", "-i", inventory, "--json")
    finally:
        vm.ssh("podman pod rm -f -t 0 limited-pod", user="student2")  # its port 8082, for student's pod after it
    found = checks(verify)
    assert verify.rc == 5, (verify.rc, json.dumps(found, indent=1))  # nothing failed, something not enforced
    assert found[LIMITS[0]]["status"] == "PASS", found[LIMITS[0]]
    assert found[PROBE]["status"] == "PASS", found[PROBE]
    cpu = found[LIMITS[1]]
    assert cpu["status"] == "NOT_ENFORCED", cpu
    assert "does not delegate the cgroup controller cpu to user student2" in json.dumps(cpu), cpu
    assert "use cgroup v2" not in json.dumps(cpu) and "host with cgroup v2" not in json.dumps(cpu), cpu


def test_ex4_as_lab_user_connecting_as_root(vm, images):
    """Issue 19 on cgroup v2 with systemd: labctl connects as the VM's admin (root) and runs ex4 AS the
    student (become_user, XDG_RUNTIME_DIR of the lingering user manager): the pod is in the student's
    store, under their user slice, its limits PASS and the 500 MiB probe is OOM-killed there; the cgroup
    reader labctl uses finds the same limits when the student runs it. (This test also proves what a
    separate `up ex4` connecting as the student over SSH proved before: the same store, slice and checks.)"""
    inventory = str(vm.inventory())
    up = timed("ex4 up (as lab user)", "up", "ex4", "-i", inventory, "--lab-user", "student", "--json")
    assert up.rc == 0, said(up)
    verify = timed("ex4 verify (as lab user)", "verify", "ex4", "-i", inventory, "--lab-user", "student", "--json")
    found = checks(verify)
    assert verify.rc == 0, json.dumps(found, indent=1)
    for name in (*LIMITS, PROBE):
        assert found[name]["status"] == "PASS", found[name]
    assert "OOM-killed" in found[PROBE]["found"]
    pod = json.loads(vm.ssh("podman pod inspect limited-pod", user="student").stdout)
    pod = pod[0] if isinstance(pod, list) else pod
    assert pod["CgroupPath"].startswith("user.slice/user-libpod_pod_"), pod["CgroupPath"]
    assert vm.ssh("podman pod exists limited-pod; echo $?").stdout.strip() == "1"  # not in root's store
    # What `labctl status ex4` shows comes from the same reader: run it in the VM as the user.
    reader = Path(__file__).parents[2] / "collections/ansible_collections/labctl/lab/plugins/module_utils/cgroups.py"
    limits = json.loads(
        vm.ssh(
            f"python3 -c 'import json,os,sys; ns={{}}; exec(sys.stdin.read(), ns); "
            f'print(json.dumps(ns["read_pod_limits"](2, "{pod["CgroupPath"]}", uid=os.geteuid())))\'',
            user="student",
            input=reader.read_text(),
        ).stdout
    )
    assert limits["found"] and limits["memory_bytes"] == 209715200 and limits["cpus"] == 1.0, limits
    clean = timed("ex4 clean (as lab user)", "clean", "ex4", "-i", inventory, "--lab-user", "student")
    assert clean.rc == 0, said(clean)
    assert vm.ssh("podman pod exists limited-pod; echo $?", user="student").stdout.strip() == "1"
