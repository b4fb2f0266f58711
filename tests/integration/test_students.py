"""Many students on one machine: three accounts reached over SSH (a private sshd on 127.0.0.1), each
running ex1 and ex2 rootless in their own Podman store at once, their ports moved by lab_port_offset
(100, 200, 300) so the three ex2 pods coexist; verify passes for all; clean leaves nothing in any store;
the accounts, the sshd and their processes are gone afterwards.
"""

import json
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_labctl
from tests.room.students import Classroom

pytestmark = [pytest.mark.room, pytest.mark.podman, pytest.mark.slow]

STUDENTS = 3
# ex1 and ex2's images, and the image ex2 builds (built on this host by the suite's earlier tests or
# by labctl up ex2): each student's store gets its own copy (see the report on additionalimagestores).
IMAGES = [
    "docker.io/library/nginx:alpine",
    "docker.io/library/alpine:latest",
    "docker.io/library/mysql:8.0",
    "docker.io/library/python:3.12-slim",
    "localhost/my-flask-app:1.1",
]


def _ensure_flask_image() -> None:
    """localhost/my-flask-app:1.1 as labctl builds it, when this host has not got it yet."""
    if subprocess.run(["podman", "image", "exists", IMAGES[-1]]).returncode != 0:
        built = run_labctl("up", "ex2")
        clean = run_labctl("clean", "ex2")
        assert built.rc == 0 and clean.rc == 0, built.stdout + built.stderr + clean.stderr


@pytest.fixture(scope="module")
def classroom() -> Iterator[Classroom]:
    tun = Path("/dev/net/tun")
    mode = tun.stat().st_mode & 0o777
    room = Classroom(tempfile.mkdtemp(prefix="labctl-students-"))
    try:
        _ensure_flask_image()
        tun.chmod(0o666)  # slirp4netns opens it as each student; the host role reports this, it does not change it
        room.up(STUDENTS)
        room.load_images(IMAGES)
        yield room
    finally:
        room.down()
        tun.chmod(mode)
        assert room.users_present() == []
        assert not room.dir.exists()
        left = subprocess.run(["pgrep", "-f", f"sshd -f {room.dir}"], capture_output=True, text=True).stdout
        assert left == "", f"the private sshd is still running: {left}"


def inventory(room: Classroom) -> str:
    return str(room.inventory)


def store(room: Classroom, user: str) -> dict[str, list[str]]:
    """What the student's own Podman store holds, beyond its images and the default network."""

    def names(*args: str) -> list[str]:
        proc = room.podman(user, *args, "--format", "json")
        assert proc.returncode == 0, proc.stderr.decode()
        rows = json.loads(proc.stdout or "[]")
        return sorted(r.get("Name") or r.get("name") or (r.get("Names") or ["?"])[0] for r in rows)

    return {
        "containers": names("ps", "-a"),
        "pods": names("pod", "ps"),
        "volumes": names("volume", "ls"),
        "networks": [n for n in names("network", "ls") if n != "podman"],
        "secrets": room.podman(user, "secret", "ls", "--format", "{{.Name}}").stdout.decode().split(),
    }


def test_host_setup_shows_each_students_moved_ports(classroom):
    setup = run_labctl("host", "setup", "-i", inventory(classroom), "--json")
    assert setup.rc == 0, setup.stdout + setup.stderr
    machines = setup.json()["machines"]
    for i in range(1, STUDENTS + 1):
        names = {c["id"]: c["name"] for c in machines[f"s{i:02d}"]["checks"]}
        assert names["ports-ex2"] == f"ports of ex2 ({8080 + 100 * i})"
        assert names["ports-ex4"] == f"ports of ex4 ({8082 + 100 * i})"


def test_ex1_and_ex2_rootless_at_once_with_offsets(classroom):
    for scenario in ("ex1", "ex2"):
        up = run_labctl("up", scenario, "-i", inventory(classroom), timeout=900)
        assert up.rc == 0, up.stdout + up.stderr
    for scenario, checks in (("ex1", 5), ("ex2", 6)):
        verify = run_labctl("verify", scenario, "-i", inventory(classroom), "--json")
        assert verify.rc == 0, verify.stdout + verify.stderr
        for i in range(1, STUDENTS + 1):
            machine = verify.json()["machines"][f"s{i:02d}"]
            assert [c["status"] for c in machine["checks"]] == ["PASS"] * checks, machine
    for i in range(1, STUDENTS + 1):
        user = classroom.user(i)
        pod = json.loads(classroom.podman(user, "pod", "inspect", "db-app-pod").stdout)
        ports = pod["InfraConfig"]["PortBindings"]
        assert [b["HostPort"] for b in ports["5000/tcp"]] == [str(8080 + 100 * i)], ports
        with urllib.request.urlopen(f"http://127.0.0.1:{8080 + 100 * i}/", timeout=10) as answer:
            assert "Visits" in answer.read().decode()
        ctrs = store(classroom, user)["containers"]
        assert {"webserver", "client", "database", "webapp"} <= set(ctrs), ctrs
    again = run_labctl("up", "ex2", "-i", inventory(classroom), "--json")
    assert again.rc == 0, again.stdout + again.stderr
    assert all(m["changed"] == 0 for m in again.json()["machines"].values()), again.stdout


def test_a_bad_offset_is_one_sentence(classroom):
    bad = classroom.dir / "bad.ini"
    bad.write_text(classroom.inventory.read_text().replace("lab_port_offset=100", "lab_port_offset=abc"))
    result = run_labctl("verify", "ex2", "-i", str(bad), "-l", "s01", "--json")
    assert result.rc == 2, result.stdout + result.stderr  # bad input, as on the command line
    reason = result.json()["machines"]["s01"]["reason"]
    assert "lab_port_offset of host s01 must be a whole number from 0 to 50000, not 'abc'" in reason, reason


def test_clean_leaves_nothing_in_any_store(classroom):
    for scenario in ("ex2", "ex1"):
        clean = run_labctl("clean", scenario, "-i", inventory(classroom))
        assert clean.rc == 0, clean.stdout + clean.stderr
    empty = {"containers": [], "pods": [], "volumes": [], "networks": [], "secrets": []}
    for i in range(1, STUDENTS + 1):
        assert store(classroom, classroom.user(i)) == empty
