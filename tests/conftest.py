"""Shared fixtures: the labctl command as a user runs it, and Podman as it really is."""

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
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


# labctl processes the tests started that may still run (a test ran out of time while waiting on one).
_RUNNING: set[subprocess.Popen] = set()


def stop_labctl(proc: subprocess.Popen, grace: float = 60) -> tuple[str, str]:
    """Stop a labctl as Ctrl-C would (it stops Ansible and its workers first), then kill it; its output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    _RUNNING.discard(proc)
    return out or "", err or ""


def start_labctl(*args: str, env: dict[str, str] | None = None, stdin: int | None = None) -> subprocess.Popen:
    """labctl running in the background, as a user starts it (tracked: stopped at the latest after its test)."""
    full_env = {**os.environ, "LABCTL_SCENARIO_PATH": str(FIXTURE_SCENARIOS), "COLUMNS": "200", **(env or {})}
    proc = subprocess.Popen(
        [labctl_bin(), *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env
    )
    _RUNNING.add(proc)
    return proc


def run_labctl(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> Completed:
    """labctl ARGS to its end; one that overruns `timeout` is stopped and fails the test, naming the
    command and showing where its output had got to."""
    proc = start_labctl(*args, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out, err = stop_labctl(proc)
        raise AssertionError(
            f"labctl {' '.join(args)} did not finish within {timeout} s; its last output:\n{(out + err)[-3000:]}"
        ) from None
    _RUNNING.discard(proc)
    return Completed(proc.returncode, out, err)


@pytest.fixture(autouse=True)
def no_labctl_left_running():
    """A test that ran out of time (pytest-timeout) may leave a labctl it was waiting on: stop it."""
    yield
    for proc in list(_RUNNING):
        stop_labctl(proc)


@contextlib.contextmanager
def hold_port(port: int = 0) -> Iterator[tuple[int, int]]:
    """A real process listening on a TCP port (0: any free one) on all addresses; yields (port, pid)."""
    code = (
        "import socket,sys,time\n"
        "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        f"s.bind(('0.0.0.0', {port})); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.isdigit(), f"could not listen on port {port or 'any'}"
        yield int(line), proc.pid
    finally:
        proc.kill()
        proc.wait()


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
    for secret in podman("secret", "ls", "--format", "{{.Name}}", check=False).split():
        if secret.startswith(f"{scenario_id}-"):  # secrets carry no labels in Podman 4.3: by name
            podman("secret", "rm", secret, check=False)


@pytest.fixture
def clean_scenario() -> Iterator[callable]:
    """Yield a function that registers a scenario for cleanup; cleans it up even when the test fails."""
    registered: list[tuple[str, str]] = []

    def register(scenario_id: str, scenario_path: str = "") -> None:
        """`scenario_path`: the folder of a scenario file the test wrote (LABCTL_SCENARIO_PATH)."""
        registered.append((scenario_id, scenario_path))

    yield register
    problems = []
    for scenario_id, scenario_path in registered:  # every step of every scenario, whatever the one before did
        env = {"LABCTL_SCENARIO_PATH": scenario_path} if scenario_path else None
        try:
            cleaned = run_labctl("clean", scenario_id, env=env, timeout=300)
            if cleaned.rc != 0:
                problems.append(f"labctl clean {scenario_id}: exit {cleaned.rc}: {cleaned.stderr.strip()[-500:]}")
        except AssertionError as exc:  # it ran out of time
            problems.append(str(exc)[:800])
        remove_scenario_leftovers(scenario_id)
    assert not problems, "cleaning up after the test: " + "; ".join(problems)


def stop_account(name: str) -> None:
    """Kill every process of a test's own account (Podman's pause process, SSH's ControlPersist masters),
    and wait until they are gone: userdel refuses an account in use."""
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    for _ in range(50):
        if subprocess.run(["pgrep", "-u", name], capture_output=True).returncode != 0:
            return
        time.sleep(0.1)


def remove_account(name: str) -> None:
    """A test's own account, gone with its processes, its home and what rootless Podman left in /tmp
    (shutil.rmtree follows no link); a no-op when there is no such account."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    stop_account(name)
    subprocess.run(["userdel", "--remove", "--force", name], capture_output=True)
    for leftover in (f"/tmp/podman-run-{uid}", f"/tmp/containers-user-{uid}", f"/tmp/storage-run-{uid}"):
        shutil.rmtree(leftover, ignore_errors=True)


def commands_without_podman(folder: Path) -> Path:
    """folder/bin: every command of /usr/bin but podman (on merged-/usr Debian /bin is /usr/bin), for a
    PATH of a machine without Podman; readable by every account."""
    bindir = folder / "bin"
    bindir.mkdir(mode=0o755)
    bindir.chmod(0o755)
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "podman":
            (bindir / tool.name).symlink_to(tool)
    return bindir


STUDENT = "labctl-student"
SUITE_USERS = (STUDENT,)  # the accounts the suite makes on this host (their stores are checked at the end)


@dataclass
class Student:
    """A normal user on this machine, for rootless Podman; labctl runs as this user."""

    name: str

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: int = 600) -> Completed:
        full_env = {
            "PATH": f"{Path(labctl_bin()).parent}:/usr/bin:/bin",
            "HOME": f"/home/{self.name}",
            "LANG": "C.UTF-8",
            "COLUMNS": "200",
            **(env or {}),
        }
        cmd = ["runuser", "-u", self.name, "--", "env", *[f"{k}={v}" for k, v in full_env.items()], *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
        return Completed(proc.returncode, proc.stdout, proc.stderr)

    def labctl(self, *args: str, **kw) -> Completed:
        return self.run(labctl_bin(), *args, **kw)

    def podman(self, *args: str) -> Completed:
        return self.run("podman", *args)


def ensure_student() -> Student:
    if subprocess.run(["id", STUDENT], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", STUDENT], check=True)
    return Student(STUDENT)


_STUDENT_READY: list[bool] = []


@pytest.fixture
def rootless_student() -> Iterator[Student]:
    """A student whose rootless Podman works: /dev/net/tun usable (mode restored after), alpine loaded."""
    student = ensure_student()
    tun = Path("/dev/net/tun")
    mode = tun.stat().st_mode & 0o777
    tun.chmod(0o666)  # slirp4netns opens it as the user; the host role reports this, it does not change it
    try:
        if not _STUDENT_READY:  # once per run: the image and the student's own host setup stay
            archive = Path(tempfile.mkdtemp(prefix="labctl-images-")) / "alpine.tar"
            archive.parent.chmod(0o755)
            podman("save", "-o", str(archive), "docker.io/library/alpine:latest")
            archive.chmod(0o644)
            loaded = student.podman("load", "-i", str(archive))
            shutil.rmtree(archive.parent)
            assert loaded.rc == 0, loaded.stderr
            # As the README says: a user sets their own Podman up once (up never changes the host).
            setup = student.labctl("host", "setup")
            assert setup.rc == 0, setup.stdout + setup.stderr
            _STUDENT_READY.append(True)
        yield student
    finally:
        for pod in student.podman("pod", "ps", "-q", "--filter", "label=io.labctl.managed=true").stdout.split():
            student.podman("pod", "rm", "-f", "-t", "0", pod)
        for ctr in student.podman("ps", "-aq", "--filter", "label=io.labctl.managed=true").stdout.split():
            student.podman("rm", "-f", "-t", "0", ctr)
        for kind in ("volume", "network"):
            for name in student.podman(kind, "ls", "-q", "--filter", "label=io.labctl.managed=true").stdout.split():
                student.podman(kind, "rm", "-f", name)
        tun.chmod(mode)


def pytest_collection_modifyitems(config, items):
    """The VM tests last when one pytest runs them with the others (scripts/test runs them beside the
    others instead): qemu idles at ~70 % of a core, so it is booted as late as possible and stopped
    straight after; vm_full (the long five-exercise cycle) only when asked for with -m."""
    if "vm_full" not in (config.getoption("markexpr") or ""):
        full = [item for item in items if item.get_closest_marker("vm_full")]
        if full:
            config.hook.pytest_deselected(items=full)  # shown as deselected, never as a silent skip
            items[:] = [item for item in items if item not in full]
    items.sort(key=lambda item: item.get_closest_marker("vm") is not None)
