"""The host role on this machine: what `host check` reports, the port check, and a user without Podman."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, commands_without_podman, hold_port, podman, run_labctl

pytestmark = pytest.mark.podman

TEST_USER = "labctl-student"


def scenario_with_port(folder: Path, scenario_id: str, port: int, containers=()) -> None:
    data = yaml.safe_load((ROOT / "scenarios" / "ex1.yml").read_text())
    data.update(id=scenario_id, title=f"port test {scenario_id}", ports={"host_port": port})
    extra = {f"extra_{i}_name": name for i, name in enumerate(containers)}
    data["resources"]["containers"].update(extra)
    (folder / f"{scenario_id}.yml").write_text(yaml.safe_dump(data))


@pytest.fixture
def listener():
    """A real process holding a TCP port on all addresses."""
    with hold_port() as held:
        yield held


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def test_host_check_reports_podman_runtime_and_cgroups():
    result = run_labctl("host", "check", "--json")
    assert result.rc == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in result.json()["checks"]}
    assert checks["Podman installed"]["status"] == "PASS"
    assert checks["Podman installed"]["found"].startswith("4.")
    assert checks["containers start"]["status"] == "PASS"
    assert checks["cgroups"]["found"].startswith(("v1", "v2"))
    assert "pod resource limits" in checks["cgroups"]["found"]
    assert checks["healthchecks"]["found"].startswith("no systemd here (PID 1 is not systemd), so no timer runs")


def test_host_check_speaks_german_with_the_same_ids():
    """`host check --lang de`: every check's words in German, its id and status as in English."""
    english = {c["id"]: c for c in run_labctl("host", "check", "--json").json()["checks"]}
    result = run_labctl("host", "check", "--json", "--lang", "de")
    assert result.rc == 0, result.stdout + result.stderr
    german = {c["id"]: c for c in result.json()["checks"]}
    assert german.keys() == english.keys()
    assert {i: c["status"] for i, c in german.items()} == {i: c["status"] for i, c in english.items()}
    assert german["podman-installed"]["name"] == "Podman installiert"
    assert german["podman-installed"]["expected"] == "podman im PATH"
    assert german["containers-start"]["name"] == "Container starten"
    assert german["containers-start"]["found"].startswith("ja")
    assert german["podman-subnet"]["found"] == "getrennt"
    assert "Ressourcen-Limits für Pods" in german["cgroups"]["found"]
    assert german["healthchecks"]["found"].startswith("hier kein systemd (PID 1 ist nicht systemd)")
    assert german["registry-mirror"]["found"] == "keiner: Pulls von docker.io gehen an Docker Hub"
    ports = [c for i, c in german.items() if i.startswith("ports-")]
    assert ports and all(c["name"].startswith("Ports von ") and c["found"] == "frei" for c in ports), ports


def test_host_setup_is_idempotent():
    first = run_labctl("host", "setup", "--json")
    assert first.rc == 0, first.stdout + first.stderr
    second = run_labctl("host", "setup", "--json")
    assert second.rc == 0, second.stdout + second.stderr
    assert second.json()["changed"] == 0, second.json()["changed_tasks"]
    assert Path("/var/lib/labctl/host.json").is_file()


def test_up_fails_before_creating_anything_when_a_port_is_taken(tmp_path, listener, clean_scenario):
    port, pid = listener
    scenario_with_port(tmp_path, "portcheck", port)
    clean_scenario("portcheck", str(tmp_path))
    result = run_labctl("up", "portcheck", env={"LABCTL_SCENARIO_PATH": str(tmp_path)})
    assert result.rc == 3, result.stdout + result.stderr
    message = result.stderr.strip()
    assert f"Port {port} is in use by python" in message
    assert f"PID {pid}" in message
    assert "scenario portcheck" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert podman("network", "ls", "-q", "--filter", "name=^my-web-net$").strip() == "", "nothing may be created"
    # The same stop, for a German class: the locale picks the language, the exit code stays.
    german = run_labctl("up", "portcheck", env={"LABCTL_SCENARIO_PATH": str(tmp_path), "LANG": "de_DE.UTF-8"})
    assert german.rc == 3, german.stdout + german.stderr
    said = german.stderr.strip()
    assert f"Port {port} wird von python" in said and f"(PID {pid}) belegt, aber Szenario portcheck braucht ihn" in said
    assert said.endswith("beenden Sie diesen Prozess, dann versuchen Sie es erneut."), said
    assert "Traceback" not in said and len(said.splitlines()) == 1


def test_a_port_held_by_the_scenarios_own_container_passes(tmp_path, clean_scenario):
    port = free_port()
    scenario_with_port(tmp_path, "ownport", port, containers=["ownport-web"])
    scenario_with_port(tmp_path, "otherport", port)
    clean_scenario("ownport", str(tmp_path))
    podman(
        "run",
        "-d",
        "--name",
        "ownport-web",
        "--label",
        "io.labctl.scenario=ownport",
        "-p",
        f"{port}:80",
        "docker.io/library/nginx:alpine",
    )
    result = run_labctl("host", "check", "--json", env={"LABCTL_SCENARIO_PATH": str(tmp_path)})
    checks = {c["name"]: c for c in result.json()["checks"]}
    assert checks[f"ports of ownport ({port})"]["status"] == "PASS"
    other = checks[f"ports of otherport ({port})"]
    assert other["status"] == "FAIL"
    assert other["found"] == f"port {port} is published by Podman container ownport-web"
    assert other["hint"] == "remove that container (`podman rm -f ownport-web`), then try again"


@pytest.fixture
def student():
    """A normal user, who may run labctl but not install packages."""
    if subprocess.run(["id", TEST_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", TEST_USER], check=True)
    return TEST_USER


@pytest.fixture
def path_without_podman():
    """A PATH with every command of /usr/bin except podman (on merged-/usr Debian /bin is /usr/bin)."""
    folder = Path(tempfile.mkdtemp(prefix="labctl-nopodman-"))
    folder.chmod(0o755)  # the student must be able to use it
    yield f"{Path(sys.executable).parent}:{commands_without_podman(folder)}"
    shutil.rmtree(folder)


def test_without_podman_and_without_root_up_says_what_to_run(path_without_podman, student):
    env = {"PATH": path_without_podman, "HOME": f"/home/{student}", "XDG_STATE_HOME": "", "LABCTL_SCENARIO_PATH": ""}
    cmd = [
        "runuser",
        "-u",
        student,
        "--",
        "env",
        *[f"{k}={v}" for k, v in env.items()],
        str(Path(sys.executable).parent / "labctl"),
        "up",
        "ex1",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd="/")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert "Podman is not installed and labctl runs without root" in message
    assert "sudo apt-get install -y podman" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
    german = subprocess.run(
        [*cmd[:5], "LANG=de_DE.UTF-8", *cmd[5:]], capture_output=True, text=True, timeout=300, cwd="/"
    )
    assert german.returncode == 3, german.stdout + german.stderr
    assert "Podman ist nicht installiert, und labctl läuft ohne root: führen Sie `sudo apt-get install -y podman" in (
        german.stderr
    )
    assert os.geteuid() == 0  # the test itself runs as root; only labctl ran as the student
