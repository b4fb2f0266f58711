"""Issue 19 in the suite's room: the lab lives in the student's account. Every machine has an admin
(`trainer`, sudo) and two students (`student1`, `student2`) who have no SSH login: labctl connects as the
admin and does the exercise AS the student (become_user). Written to run in the session's room (no new
machines); each test keeps its time small by working on one or two machines (-l). After test_room.py,
whose first tests need the room as it starts (without Podman)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_labctl, start_labctl
from tests.integration.conftest import ensure_set_up
from tests.room.room import STUDENTS

pytestmark = pytest.mark.timeout(1800)


def lab_inventory(room, tmp_path: Path, lab_users: dict[str, str], offsets: dict[str, str] | None = None) -> str:
    """The room's inventory with a lab_user per host (and lab_port_offset where given): host name -> user.
    Two students on one machine are two hosts with the same address."""
    base = {line.split()[0]: line.split(None, 1)[1] for line in room.inventory.read_text().splitlines()[1:] if line}
    lines = ["[room]"]
    for host, user in lab_users.items():
        machine = host.split("-")[0]  # m1-s2 is m1's student2
        extra = f" lab_port_offset={offsets[host]}" if offsets and host in offsets else ""
        lines.append(f"{host} {base[machine]} lab_user={user} lab_student={user}@{machine}{extra}")
    path = tmp_path / "lab-users.ini"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def ok(result):
    assert result.rc == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module", autouse=True)
def root_store_clean(room):
    """No exercise in the machines' root stores (test_room.py's tests may have left ex1 and ex2 up, when run
    without its last ones): they would hold the ports the students' labs need, and m3's ex1 would answer
    the 10.88 test's up as already in place."""
    ensure_set_up(room)
    for scenario in ("ex1", "ex2"):
        ok(run_labctl("clean", scenario, "-i", str(room.inventory), "-b", timeout=900))


@pytest.fixture(scope="module")
def students_ready(room, tmp_path_factory):
    """host setup for the lab users of m1 (both students) and m2 (student1): linger (none here: no systemd
    in the room's machines, Podman's own fallback), overlay storage, subuids; once for the module."""
    ensure_set_up(room)
    inventory = lab_inventory(
        room, tmp_path_factory.mktemp("lab"), {"m1-s1": "student1", "m1-s2": "student2", "m2-s1": "student1"}
    )
    # m1's students as accounts made before uidmap (or by an LDAP): no subordinate ids. Both are hosts of one
    # run: each must get a block of its own, never the same host ids.
    room.ssh(1, "sudo sed -i '/^student[12]:/d' /etc/subuid /etc/subgid")
    ok(run_labctl("host", "setup", "-i", inventory, "--become", timeout=900))
    for ids in ("/etc/subuid", "/etc/subgid"):
        ranges = {}
        for line in room.ssh(1, f"cat {ids}").stdout.splitlines():
            user, start, count = line.split(":")
            ranges.setdefault(user, []).append(range(int(start), int(start) + int(count)))
        assert len(ranges.get("student1", [])) == 1 and len(ranges.get("student2", [])) == 1, (ids, ranges)
        mine = [(u, r) for u, rs in ranges.items() for r in rs]
        for i, (user, one) in enumerate(mine):  # no two users share an id
            for other_user, other in mine[i + 1 :]:
                assert one.stop <= other.start or other.stop <= one.start, (ids, user, other_user, ranges)
    return room, inventory


def test_up_as_the_student_shows_in_their_podman_ps_and_curl_works_for_them(students_ready, tmp_path):
    room, _ = students_ready
    inventory = lab_inventory(room, tmp_path, {"m1": "student1"})
    up = ok(run_labctl("up", "ex1", "-i", inventory, "-b", timeout=900))
    up2 = ok(run_labctl("up", "ex2", "-i", inventory, "-b", timeout=900))
    assert "student1's store" in up.stdout + up2.stdout  # the output says whose store it is
    names = room.as_student(1, "student1", "podman ps --format json").stdout
    assert {"webserver", "client", "database", "webapp"} <= {n for c in json.loads(names) for n in c["Names"]}, names
    assert room.podman(1, "ps", "-q").strip() == ""  # root's store has nothing of it
    page = room.as_student(1, "student1", "curl -fsS http://127.0.0.1:8080/").stdout  # the course's curl
    assert page.strip(), page


def test_verify_csv_grades_the_students_store_and_catches_their_mistake(students_ready, tmp_path):
    room, _ = students_ready
    inventory = lab_inventory(room, tmp_path, {"m1": "student1"})
    ok(run_labctl("up", "ex2", "-i", inventory, "-b", timeout=900))
    room.as_student(1, "student1", "podman rm -f -t 0 webapp")  # the student's own mistake, as the student
    grades = tmp_path / "grades.csv"
    verify = run_labctl("verify", "ex2", "-i", inventory, "-b", "--csv", str(grades), timeout=900)
    assert verify.rc == 1, verify.stdout + verify.stderr
    rows = list(csv.DictReader(grades.read_text(encoding="utf-8").splitlines()))
    assert {r["student"] for r in rows} == {"student1@m1"}
    assert any(r["status"] == "FAIL" for r in rows), rows
    ok(run_labctl("up", "ex2", "-i", inventory, "-b", timeout=900))  # back for the next test


def test_prepare_lays_the_files_into_the_students_home_owned_by_them(students_ready, tmp_path):
    room, _ = students_ready
    inventory = lab_inventory(room, tmp_path, {"m2": "student1"})
    room.ssh(2, "sudo rm -rf /root/labctl/ex3")  # test_room.py's prepare --all (no lab user) laid it there
    ok(run_labctl("prepare", "ex3", "-i", inventory, "-b", timeout=900))
    owners = room.ssh(2, "sudo find /home/student1/labctl/ex3 -printf '%u\\n' | sort -u").stdout.split()
    assert owners == ["student1"], owners
    assert room.ssh(2, "sudo test -e /root/labctl/ex3; echo $?").stdout.strip() == "1"  # nothing in root's home


@pytest.fixture(scope="module")
def labctl_on_m1(students_ready, tmp_path_factory):
    """labctl installed on m1 for every user by `host setup --install-labctl` from a wheelhouse built here
    (m1's lab user: student1); returns the room and that inventory."""
    room, _ = students_ready
    folder = tmp_path_factory.mktemp("installed")
    wheelhouse = folder / "wheelhouse"
    root = Path(__file__).parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "-w", str(wheelhouse), str(root)], check=True, timeout=900
    )
    inventory = lab_inventory(room, folder, {"m1": "student1"})
    ok(run_labctl("host", "setup", "-i", inventory, "-b", "--install-labctl", str(wheelhouse), timeout=900))
    return room, inventory


def test_the_student_runs_labctl_verify_on_the_machine_and_gets_the_trainers_result(labctl_on_m1):
    room, inventory = labctl_on_m1
    config = room.ssh(1, "cat /etc/labctl/config.toml").stdout
    assert 'lab_user = "student1"' in config and "scenarios" in config
    ok(run_labctl("up", "ex2", "-i", inventory, "-b", timeout=900))
    trainer = json.loads(ok(run_labctl("verify", "ex2", "-i", inventory, "-b", "--json", timeout=900)).stdout)
    own = room.as_student(1, "student1", "labctl verify ex2 --json", check=False)
    assert own.returncode == 0, own.stdout + own.stderr
    mine = json.loads(own.stdout)

    def ids(data):
        return sorted((c["id"], c["status"]) for c in (data.get("checks") or []))

    assert ids(mine) == ids(trainer) and ids(mine), (mine, trainer)


def test_two_students_on_one_machine_with_auto_offsets_then_clean_leaves_nothing(students_ready, tmp_path):
    room, _ = students_ready
    both = {"m1-s1": "student1", "m1-s2": "student2"}
    inventory = lab_inventory(room, tmp_path, both, offsets={"m1-s1": "auto", "m1-s2": "auto"})
    ok(run_labctl("up", "ex1", "-i", inventory, "-b", timeout=900))
    status = ok(run_labctl("status", "ex1", "-i", inventory, "-b", "--json", timeout=300)).stdout
    machines = json.loads(status)["machines"]
    offsets = {host: m["port_offset"] for host, m in machines.items()}  # `auto`: each student's own step
    assert {m["store"] for m in machines.values()} == {"student1's store", "student2's store"}, machines
    assert len({o for o in offsets.values()}) == 2 and all(o for o in offsets.values()), offsets
    listing = json.loads(ok(run_labctl("list", "-i", inventory, "-b", "--json", timeout=300)).stdout)
    ex2 = next(s for s in listing if s["id"] == "ex2")  # ex2 publishes 8080 (ex1 publishes nothing)
    # list -i gives each student's own ports, as status gives their offsets.
    assert ex2["moved_ports"] == {h: [p + offsets[h] for p in ex2["ports"]] for h in both}, (ex2, offsets)
    for student in STUDENTS:
        names = room.as_student(1, student, "podman ps --format '{{.Names}}'").stdout.split()
        assert {"webserver", "client"} <= set(names), (student, names)
    for scenario in ("ex1", "ex2"):
        ok(run_labctl("clean", scenario, "-i", inventory, "-b", timeout=900))
    for student in STUDENTS:
        left = room.as_student(1, student, "podman ps -a -q; podman pod ps -q; podman volume ls -q").stdout.strip()
        assert left == "", (student, left)


def test_ask_pass_reaches_a_password_only_machine(set_up_room, tmp_path):
    """-k: the password goes through ansible-runner to ssh's prompt (sshpass), never on a command line."""
    room = set_up_room
    secret = "Room-Passw0rd-19"
    room.allow_password_only(3, secret)
    try:
        proc = start_labctl("host", "check", "-i", str(room.inventory), "-l", "m3", "-k", stdin=subprocess.PIPE)
        out, err = proc.communicate(input=secret + "\n", timeout=600)  # getpass reads stdin without a terminal
        assert proc.returncode in (0, 3), out + err  # reached (exit 4 would be unreachable)
        assert secret not in out + err
        runs = Path(room.dir)
        assert not any(secret in p.read_text(errors="ignore") for p in runs.rglob("*") if p.is_file())
    finally:
        room.allow_keys_again(3)


def test_host_keys_shows_fingerprints_and_records_them(set_up_room, tmp_path):
    room = set_up_room
    known = tmp_path / "known_hosts"
    shown = ok(run_labctl("host", "keys", "-i", str(room.inventory), "--known-hosts", str(known), "--yes"))
    assert "SHA256:" in shown.stdout
    assert known.read_text().splitlines()[0].startswith("[127.0.0.1]:")
    again = ok(run_labctl("host", "keys", "-i", str(room.inventory), "--known-hosts", str(known), "--yes"))
    assert "already" in again.stdout + again.stderr


def test_a_machine_on_10_88_stops_at_once_with_the_sentence(set_up_room):
    room = set_up_room
    subprocess.run(["podman", "exec", room.name(3), "ip", "addr", "add", "10.88.77.5/24", "dev", "eth0"], check=True)
    try:
        check = run_labctl("host", "check", "-i", str(room.inventory), "-l", "m3", "-b", timeout=300)
        assert check.rc == 3 and "10.88.77.5" in check.stdout + check.stderr, check.stdout + check.stderr
        up = run_labctl("up", "ex1", "-i", str(room.inventory), "-l", "m3", "-b", timeout=300)
        assert up.rc == 3 and "--default-subnet" in up.stdout + up.stderr, up.stdout + up.stderr
    finally:
        subprocess.run(["podman", "exec", room.name(3), "ip", "addr", "del", "10.88.77.5/24", "dev", "eth0"])


INSTALLED = ("/opt/labctl", "/usr/local/bin/labctl", "/etc/labctl/config.toml", "/var/lib/labctl/wheelhouse")


def test_host_setup_undo_takes_off_what_labctl_put_on_the_machine(labctl_on_m1):
    """--undo on m1 (last in the module: m1 is not set up afterwards): labctl's venv, its link, its wheels,
    its config file, and the subordinate ids it gave lab users go; a second --undo finds nothing."""
    room, inventory = labctl_on_m1
    record = json.loads(room.ssh(1, "sudo cat /var/lib/labctl/host.json").stdout)
    subids = {user: done["subids"] for user, done in record["lab_users"].items() if done.get("subids")}
    assert record["labctl_install"]["venv"] == "/opt/labctl", record
    # students_ready set both students of m1 up in one run (two hosts, one record): neither entry was lost
    assert {"student1", "student2"} <= set(record["lab_users"]), record
    room.set_up = False  # whatever happens below: a later room test sets m1 up again
    # student1's rootless Podman still runs (its pause process): usermod takes no ids from a busy user, so
    # undo keeps that range, lists it in kept.json and says so (CI2 of land5: exit 3 before).
    room.ssh(1, "sudo -u student1 setsid -f sleep 600 </dev/null >/dev/null 2>&1")  # student1 is logged in
    assert room.ssh(1, "pgrep -u student1 -x sleep >/dev/null && echo busy; true").stdout.strip() == "busy"
    assert "student1" in subids, record  # students_ready gave m1's students their ranges
    undo = ok(run_labctl("host", "setup", "--undo", "-i", inventory, "-b", "--json", timeout=900))
    assert "/opt/labctl" in undo.stdout, undo.stdout
    assert "kept the subordinate ids of student1" in undo.stdout, undo.stdout
    assert room.ssh(1, "sudo test -s /var/lib/labctl/kept.json && echo kept; true").stdout.strip() == "kept"
    room.ssh(1, "sudo pkill -KILL -u student1; sudo pkill -KILL -u student2; true")  # the students log out
    ok(run_labctl("host", "setup", "--undo", "-i", inventory, "-b", "--json", timeout=900))  # takes the rest
    assert room.ssh(1, "sudo test -e /var/lib/labctl/kept.json && echo kept; true").stdout.strip() == ""
    left = room.ssh(1, " ; ".join(f"test -e {path} && echo {path}" for path in INSTALLED) + "; true").stdout
    assert left.split() == [], left
    ranges = room.ssh(1, "cat /etc/subuid /etc/subgid").stdout.splitlines()
    for user, span in subids.items():  # the ranges labctl added ("START-END") are gone, the users stay
        assert f"{user}:{span.split('-')[0]}:65536" not in ranges, (user, span, ranges)
    assert room.ssh(1, "id -u student1").stdout.strip()
    again = ok(run_labctl("host", "setup", "--undo", "-i", inventory, "-b", "--json", timeout=900))
    assert "nothing of labctl's was left to remove" in again.stdout, again.stdout
