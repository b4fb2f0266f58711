"""A room of three training machines (tests/room/room.py), reached over SSH with --become, from fresh.

The machines start without Podman and without any image. `labctl host setup -i` installs Podman on all
three; `up` brings ex1 and ex2 there with the images copied from this controller (only what each lacks);
verify passes everywhere (checked also from inside each machine with its own Podman); a second up
changes nothing. A class is graded (one machine done by hand with the course's commands, one with a
mistake, one untouched); a taken port and a machine dropping off mid-run fail alone; --retry-failed
finishes the machine once it is back; reset --all, prepare --all and clean --all leave nothing behind.
The room itself leaves nothing on this host.
"""

import csv
import json
import subprocess
import time

import pytest

from labctl.core.paths import state_dir
from tests.conftest import ROOT, podman, run_labctl, start_labctl, stop_labctl
from tests.room.room import Room

pytestmark = [pytest.mark.room, pytest.mark.podman, pytest.mark.slow]

MACHINES = 3
ALL = [f"m{i}" for i in range(1, MACHINES + 1)]
COURSE = ["ex1", "ex2", "ex3", "ex4", "ex5"]


def lab_up(room: Room, *scenarios: str) -> None:
    """The scenarios up on every machine (a quick no-op when they are)."""
    for scenario in scenarios:
        up = labctl(room, "up", scenario)
        assert up.rc == 0, up.stdout + up.stderr


def labctl(room: Room, *args: str, timeout: int = 900):
    return run_labctl(*args, "-i", str(room.inventory), "--become", timeout=timeout)


def machines(result) -> dict[str, dict]:
    return result.json()["machines"]


def inner_containers(room: Room, i: int) -> dict[str, dict]:
    """The containers of machine i, as that machine's own Podman lists them."""
    return {c["Names"][0]: c for c in json.loads(room.podman(i, "ps", "-a", "--format", "json") or "[]")}


def inner_images(room: Room, i: int) -> dict[str, str]:
    listing = json.loads(room.podman(i, "images", "--format", "json") or "[]")
    return {name: image["Id"] for image in listing for name in image.get("Names") or []}


def local_images() -> dict[str, str]:
    listing = json.loads(podman("images", "--format", "json"))
    return {name: image["Id"] for image in listing for name in image.get("Names") or []}


def test_room_machines_start_without_podman(room):
    for i in range(1, MACHINES + 1):
        assert room.ssh(i, "command -v podman || echo none").stdout.strip() == "none"
        assert room.ssh(i, "sudo -n id -u").stdout.strip() == "0"
        assert room.ssh(i, "hostname").stdout.strip() == f"m{i}"


@pytest.mark.timeout(900)
def test_host_setup_installs_podman_on_every_machine(room):
    setup = labctl(room, "host", "setup")
    assert setup.rc == 0, setup.stdout + setup.stderr
    room.set_up = True
    for i in range(1, MACHINES + 1):
        info = json.loads(room.podman(i, "info", "--format", "json"))
        assert info["store"]["graphDriverName"] == "overlay", f"m{i}: {info['store']['graphDriverName']}"
        assert info["version"]["Version"].startswith("4.")
        assert inner_images(room, i) == {}, "a fresh machine has no image"


def test_up_ex1_and_ex2_copy_the_images_each_machine_lacks_and_pass_everywhere(set_up_room):
    room = set_up_room
    for scenario in ("ex1", "ex2"):
        up = labctl(room, "up", scenario, "--json")
        assert up.rc == 0, up.stdout + up.stderr
        assert all(m["result"] == "ok" for m in machines(up).values()), machines(up)
    here = local_images()
    refs = [r["reference"] for r in run_labctl("images", "list", "ex1", "ex2", "--json").json()]
    for i in range(1, MACHINES + 1):
        # the controller's very images (by ID): copied, not pulled (no registry answers anywhere here)
        there = inner_images(room, i)
        assert {r: there.get(r) for r in refs} == {r: here[r] for r in refs}, f"m{i}"
    verify = labctl(room, "verify", "ex2", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    assert all(m["failed"] == 0 and m["passed"] > 0 for m in machines(verify).values())
    verify1 = labctl(room, "verify", "ex1")
    assert verify1.rc == 0, verify1.stdout + verify1.stderr
    for i in range(1, MACHINES + 1):
        ctrs = inner_containers(room, i)
        assert all(ctrs[n]["State"] == "running" for n in ("webserver", "client", "database", "webapp")), f"m{i}"
        page = room.podman(i, "exec", "client", "wget", "-qO-", "http://webserver")
        assert "Welcome to nginx" in page, f"m{i}: {page[:200]}"


def test_a_second_up_changes_nothing_and_copies_nothing(set_up_room):
    room = set_up_room
    lab_up(room, "ex1", "ex2")
    cache = state_dir() / "images"
    archives = {p.name: p.stat().st_mtime for p in cache.glob("*.tar")}
    before = {i: {n: c["Id"] for n, c in inner_containers(room, i).items()} for i in range(1, MACHINES + 1)}
    for scenario in ("ex1", "ex2"):
        again = labctl(room, "up", scenario, "--json")
        assert again.rc == 0, again.stdout + again.stderr
        assert {h: m["changed"] for h, m in machines(again).items()} == dict.fromkeys(ALL, 0)
    for i in range(1, MACHINES + 1):  # nothing recreated on any machine
        assert {n: c["Id"] for n, c in inner_containers(room, i).items()} == before[i]
    assert {p.name: p.stat().st_mtime for p in cache.glob("*.tar")} == archives


def test_grading_a_class(set_up_room, tmp_path):
    room = set_up_room
    prepare = labctl(room, "prepare", "ex2")
    assert prepare.rc == 0, prepare.stdout + prepare.stderr
    script = (ROOT / "tests" / "student" / "ex2.sh").read_bytes()
    # m1: the course's commands as a student types them; m2: the same, then the app container is gone;
    # m3: nothing done.
    # Both students at once, as in a class (their output goes to files: a full pipe would hold one up).
    logs = [tmp_path / f"m{i}.log" for i in (1, 2)]
    students = []
    for i, log in zip((1, 2), logs, strict=True):
        with log.open("wb") as out:
            students.append(
                subprocess.Popen(
                    ["podman", "exec", "-i", room.name(i), "bash", "-s"],
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        students[-1].stdin.write(script)
        students[-1].stdin.close()
    for student, log in zip(students, logs, strict=True):
        assert student.wait(timeout=600) == 0, log.read_text(errors="replace")[-3000:]
    room.podman(2, "rm", "-f", "-t", "0", "webapp")
    grades = tmp_path / "grades.csv"
    verify = run_labctl("verify", "ex2", "-i", str(room.inventory), "--become", "--csv", str(grades))
    assert verify.rc == 1, verify.stdout + verify.stderr
    rows = list(csv.DictReader(grades.open()))
    status = {(r["machine"], r["check"]): r["status"] for r in rows}
    checks = sorted({r["check"] for r in rows})
    assert all(status[("m1", c)] == "PASS" for c in checks), rows
    assert "FAIL" in {status[("m2", c)] for c in checks} and "PASS" in {status[("m2", c)] for c in checks}
    assert all(status[("m3", c)] != "PASS" for c in checks), rows
    # The matrix on stdout: a row per machine, a column per check, in the same order on every row.
    lines = [line for line in verify.stdout.splitlines() if line.startswith(("m1 ", "m2 ", "m3 "))]
    assert len(lines) >= 3 and "✗" not in lines[0] and "✗" in lines[1], verify.stdout


def test_a_taken_port_fails_its_machine_alone_naming_the_holder(set_up_room):
    room = set_up_room
    assert labctl(room, "clean", "ex2").rc == 0
    holder = subprocess.Popen(
        ["podman", "exec", room.name(2), "python3", "-m", "http.server", "8080"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while room.ssh(2, "ss -Htln 'sport = :8080' | grep -c LISTEN || true").stdout.strip() in ("", "0"):
            assert time.monotonic() < deadline, "the port holder did not start"
            time.sleep(0.2)
        up = labctl(room, "up", "ex2", "--json")
        assert up.rc == 3, up.stdout + up.stderr
        found = machines(up)
        assert found["m1"]["result"] == "ok" and found["m3"]["result"] == "ok", found
        assert found["m2"]["result"] != "ok" and "8080" in found["m2"]["reason"], found["m2"]
        assert "python3" in found["m2"]["reason"], found["m2"]["reason"]
    finally:
        holder.kill()
        room.ssh(2, "sudo pkill -f 'http.server 8080' || true", check=False)


def test_a_machine_that_drops_off_mid_run_is_unreachable_and_retry_failed_finishes_it(set_up_room):
    room = set_up_room
    lab_up(room, "ex2")  # m1 and m2 have it: their part of the run is quick
    cleaned = run_labctl("clean", "ex2", "-i", str(room.inventory), "--become", "-l", "m3")
    assert cleaned.rc == 0, cleaned.stdout + cleaned.stderr
    run = start_labctl("up", "ex2", "-i", str(room.inventory), "--become", "--json")
    try:
        # m3 goes away while its work is under way: its database container exists, its app does not answer yet.
        deadline = time.monotonic() + 300
        while not _exists(room, 3, "database"):
            if run.poll() is not None:
                raise AssertionError(f"the run ended (exit {run.returncode}) before m3's database: {run.communicate()}")
            assert time.monotonic() < deadline, "the run did not start m3's database within 5 minutes"
            time.sleep(0.2)
        answers = room.ssh(3, "curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/health", check=False)
        assert answers.stdout.strip() != "200", "m3's app already answered: the drop-off came too late"
        room.stop(3)
        out, err = run.communicate(timeout=900)
    finally:
        stop_labctl(run)
    assert run.returncode == 4, out + err
    found = json.loads(out)["machines"]
    assert found["m1"]["result"] == "ok" and found["m2"]["result"] == "ok", found
    assert found["m3"]["result"] == "unreachable" and found["m3"]["reason"], found["m3"]

    room.start(3)
    retry = labctl(room, "up", "ex2", "--retry-failed", "--json")
    assert retry.rc == 0, retry.stdout + retry.stderr
    assert list(machines(retry)) == ["m3"], machines(retry)
    assert machines(retry)["m3"]["changed"] > 0, "the retry had m3's half-built lab to finish"
    verify = labctl(room, "verify", "ex2", "-l", "m3")
    assert verify.rc == 0, verify.stdout + verify.stderr


def _exists(room: Room, i: int, container: str) -> bool:
    """Whether machine i's Podman has the container (a machine that does not answer has none)."""
    proc = subprocess.run(
        ["podman", "exec", room.name(i), "podman", "container", "exists", container], capture_output=True, timeout=30
    )
    return proc.returncode == 0


@pytest.mark.timeout(1500)
def test_reset_prepare_and_clean_the_whole_course_leave_nothing(set_up_room):
    room = set_up_room
    reset = labctl(room, "reset", "--all", timeout=1200)
    assert reset.rc == 0, reset.stdout[-3000:] + reset.stderr[-3000:]
    for i in range(1, MACHINES + 1):
        names = set(inner_containers(room, i))
        assert {"webserver", "client", "database", "webapp", "text-api", "text-frontend"} <= names, f"m{i}: {names}"
    prepare = labctl(room, "prepare", "--all", timeout=900)
    assert prepare.rc == 0, prepare.stdout[-3000:] + prepare.stderr[-3000:]
    for i in range(1, MACHINES + 1):
        assert inner_containers(room, i) == {}, f"m{i}: prepare leaves no exercise running"
        # ~ is resolved on the machine, for the user labctl becomes there (root)
        assert room.ssh(i, "sudo ls /root/labctl/ex3/api").stdout.split(), f"m{i}: no files laid out"
    clean = labctl(room, "clean", "--all")
    assert clean.rc == 0, clean.stdout + clean.stderr
    for i in range(1, MACHINES + 1):
        assert inner_containers(room, i) == {}
        assert json.loads(room.podman(i, "pod", "ps", "--format", "json") or "[]") == []
        volumes = json.loads(room.podman(i, "volume", "ls", "--format", "json") or "[]")
        assert [v["Name"] for v in volumes] == []
        networks = {n["name"] for n in json.loads(room.podman(i, "network", "ls", "--format", "json") or "[]")}
        assert networks <= {"podman"}, networks
