"""A room of three training machines (tests/room/room.py), reached over SSH with become, from fresh.

The machines start without Podman: `labctl host setup -i` installs it on all three; then ex1 goes up,
passes verify on every machine (checked also from inside each machine with its own Podman), a second
up changes nothing there, and clean leaves nothing of the exercise on any machine. The room itself
leaves nothing on this host.
"""

import json
import os
import tempfile
from collections.abc import Iterator

import pytest

from tests.conftest import podman, run_labctl
from tests.room.room import ROOM_LABEL, Room

pytestmark = [pytest.mark.room, pytest.mark.podman, pytest.mark.slow]

MACHINES = 3
EX1_IMAGES = ["docker.io/library/nginx:alpine", "docker.io/library/alpine:latest"]


@pytest.fixture(scope="module")
def room() -> Iterator[Room]:
    """Three fresh machines (no Podman on them), always torn down; nothing of them stays."""
    # its own names and labels: a room someone has up (tests/room/room.py's default) is left alone
    the_room = Room(tempfile.mkdtemp(prefix="labctl-room-"), prefix=f"labctl-roomtest{os.getpid()}-")
    try:
        the_room.up(MACHINES)  # the inventory says nothing of become: the tests give --become
        yield the_room
    finally:
        the_room.down()
        assert the_room.machines() == [] and the_room.volumes() == []
        assert not podman("ps", "-aq", "--filter", f"label={ROOM_LABEL}={the_room.prefix}").split()
        assert not os.path.exists(the_room.dir)


def inner_containers(room: Room, i: int) -> dict[str, dict]:
    """The containers of machine i, as that machine's own Podman lists them."""
    return {c["Names"][0]: c for c in json.loads(room.podman(i, "ps", "-a", "--format", "json") or "[]")}


def test_room_machines_start_without_podman(room):
    for i in range(1, MACHINES + 1):
        assert room.ssh(i, "command -v podman || echo none").stdout.strip() == "none"
        assert room.ssh(i, "sudo -n id -u").stdout.strip() == "0"
        assert room.ssh(i, "hostname").stdout.strip() == f"m{i}"


def test_host_setup_installs_podman_on_every_machine(room):
    setup = run_labctl("host", "setup", "-i", str(room.inventory), "--become", timeout=900)
    assert setup.rc == 0, setup.stdout + setup.stderr
    for i in range(1, MACHINES + 1):
        info = json.loads(room.podman(i, "info", "--format", "json"))
        assert info["store"]["graphDriverName"] == "overlay", f"m{i}: {info['store']['graphDriverName']}"
        assert info["version"]["Version"].startswith("4.")


def test_up_verify_ex1_on_every_machine(room):
    room.load_images(EX1_IMAGES)  # until labctl copies the images to the machines itself
    up = run_labctl("up", "ex1", "-i", str(room.inventory), "--become")
    assert up.rc == 0, up.stdout + up.stderr
    verify = run_labctl("verify", "ex1", "-i", str(room.inventory), "--become")
    assert verify.rc == 0, verify.stdout + verify.stderr
    assert "FAIL" not in verify.stdout
    before = {}
    for i in range(1, MACHINES + 1):
        ctrs = inner_containers(room, i)
        assert {n: ctrs[n]["State"] for n in ("webserver", "client")} == {"webserver": "running", "client": "running"}
        assert "my-web-net" in ctrs["client"]["Networks"]
        page = room.podman(i, "exec", "client", "wget", "-qO-", "http://webserver")
        assert "Welcome to nginx" in page, f"m{i}: {page[:200]}"
        before[i] = {n: c["Id"] for n, c in ctrs.items()}
    again = run_labctl("up", "ex1", "-i", str(room.inventory), "--become")
    assert again.rc == 0, again.stdout + again.stderr
    for i in range(1, MACHINES + 1):  # nothing recreated on any machine
        assert {n: c["Id"] for n, c in inner_containers(room, i).items()} == before[i]


def test_a_machine_where_sudo_is_refused_fails_alone(room):
    room.refuse_sudo(3)
    try:
        verify = run_labctl("verify", "ex1", "-i", str(room.inventory), "--become", "--json")
    finally:
        room.allow_sudo(3)
    assert verify.rc != 0, verify.stdout
    machines = verify.json()["machines"]
    assert [machines[m]["result"] for m in ("m1", "m2")] == ["ok", "ok"], machines
    assert machines["m3"]["result"] != "ok"
    reason = machines["m3"]["reason"]
    assert reason and "\n" not in reason and "Traceback" not in reason, reason


def test_clean_ex1_leaves_nothing_on_any_machine(room):
    clean = run_labctl("clean", "ex1", "-i", str(room.inventory), "--become")
    assert clean.rc == 0, clean.stdout + clean.stderr
    for i in range(1, MACHINES + 1):
        assert inner_containers(room, i) == {}
        assert "my-web-net" not in room.podman(i, "network", "ls", "--format", "{{.Name}}").split()
