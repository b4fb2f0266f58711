"""The account boundary's rules as pure logic (issue 17): state folders, safe paths, the run lease,
work done as a user, Podman without a terminal, bundles, look-alikes and output a lab returns.
The attacker scenarios on real Podman are in tests/integration/test_boundary.py."""

import io
import json
import os
import pty
import pwd
import select
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest
from ansible_collections.labctl.lab.plugins.module_utils import as_user, boundary, fingerprints, lease, reasons

from labctl.core import actions, images, lock, lookalikes, paths, report, room, scenarios
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.podman import Podman
from labctl.core.results import Check

NOBODY = pwd.getpwnam("nobody")


# --- state folders ----------------------------------------------------------------------------------


def test_roots_state_is_in_var_lib_whatever_home_and_xdg_say():
    env = {"HOME": "/home/student", "XDG_STATE_HOME": "/home/student/.local/state"}
    assert boundary.state_dir(0, "/root", env) == "/var/lib/labctl"
    assert boundary.store_dir(0, "/home/student") == "/var/lib/labctl"
    # A user's run folders follow an absolute XDG_STATE_HOME; their store's lock and lease do not.
    assert boundary.state_dir(1000, "/home/s", {"XDG_STATE_HOME": "/srv/s"}) == "/srv/s/labctl"
    assert boundary.state_dir(1000, "/home/s", {"XDG_STATE_HOME": "rel"}) == "/home/s/.local/state/labctl"
    assert boundary.store_dir(1000, "/home/s") == "/home/s/.local/state/labctl"


def test_a_state_folder_that_is_a_link_or_anothers_or_open_to_others_is_refused(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    os.chown(foreign, NOBODY.pw_uid, NOBODY.pw_gid)
    open_to_all = tmp_path / "open"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    for folder, words in (
        (tmp_path / "linked", "symbolic link"),
        (foreign, "belongs to nobody"),
        (open_to_all, "0777"),
    ):
        monkeypatch.setenv("LABCTL_STATE_DIR", str(folder))
        with pytest.raises(LabctlError) as caught:
            paths.state_dir()
        assert caught.value.exit_code == ExitCode.HOST_NOT_READY
        assert words in caught.value.message and caught.value.message.count(". ") == 0
    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "mine"))
    assert paths.make_state_dir("runs") == tmp_path / "mine" / "runs"
    assert stat.S_IMODE((tmp_path / "mine" / "runs").stat().st_mode) == 0o700


def test_a_path_through_another_accounts_link_or_folder_is_not_safe_to_write(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, NOBODY.pw_uid, NOBODY.pw_gid)
    assert "is a folder of nobody" in reasons.words(boundary.path_problem(str(home / "labctl" / "ex1"), 0))
    mine = tmp_path / "mine"
    mine.mkdir()
    planted = mine / "link"
    planted.symlink_to("/etc")
    os.lchown(planted, NOBODY.pw_uid, NOBODY.pw_gid)
    assert "is a link of nobody" in reasons.words(boundary.path_problem(str(planted / "x"), 0))
    assert reasons.words(boundary.path_problem(str(planted / "x"), 0), "de") == f"{planted} ist ein Link von nobody"
    own_link = mine / "own"
    own_link.symlink_to(mine)
    assert boundary.path_problem(str(own_link / "new" / "deeper"), 0) is None
    # /tmp is sticky: a step that exists and is root's is fine, a missing one could be planted first.
    assert boundary.path_problem(str(tmp_path / "x"), 0) is None
    assert "could put something" in reasons.words(boundary.path_problem(f"/tmp/labctl-never-there-{os.getpid()}/x", 0))
    assert "not an absolute path" in reasons.words(boundary.path_problem("relative/x", 0))


# --- the run lease ----------------------------------------------------------------------------------


def run(run_id="r1", **extra):
    return {"id": run_id, "controller": "pc (abc)", "machine": "m:b", "pid": 1, "pid_start": 5, **extra}


def test_a_holder_is_gone_only_when_its_pid_is_dead_on_its_own_controller_or_it_stopped_refreshing():
    now = 10_000.0
    alive, dead = (lambda pid, start: True), (lambda pid, start: False)
    other = run("r2", refreshed=now - 10)
    assert lease.judge(None, run(), now, 0) == "free"
    assert lease.judge(run(), run(), now, 0) == "ours"
    # The same controller but another run: no longer taken over just for that (two accounts, sudo -E, cron).
    assert lease.judge(other, run(), now, 0, here="m:b", alive=alive) == "held"
    assert lease.judge(other, run(), now, 0, here="m:b", alive=dead) == "gone"
    # Judged on another machine: by its refreshes only, unless its controller says it is gone.
    assert lease.judge(other, run(), now, 0, here="x:y", alive=dead) == "held"
    assert lease.judge(other, run(), now, 0, here="x:y", gone=["r2"]) == "gone"
    assert lease.judge(run("r2", refreshed=now - 901), run(), now, 0, here="x:y") == "gone"
    assert lease.judge({"id": "old", "since": now - 3000}, run(), now, 0) == "held"
    assert lease.judge({"id": "old", "since": now - 3700}, run(), now, 0) == "gone"
    assert lease.judge({}, run(), now, now - 5) == "held"  # being written


def test_the_controller_names_its_own_dead_runs_and_only_those():
    here = lease.machine_id()
    assert here
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert lease.gone_here({"id": "x", "machine": here, "pid": gone.pid, "pid_start": 1}) == "x"
    me = {"id": "y", "machine": here, "pid": os.getpid(), "pid_start": lease.start_time(os.getpid())}
    assert lease.gone_here(me) == ""
    assert lease.gone_here({**me, "machine": "another:boot", "pid": gone.pid}) == ""


def test_take_over_is_atomic_one_of_many_at_once_gets_a_left_behind_lease(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / lease.LEASE).write_text(json.dumps({"id": "dead", "since": 0}))  # an hour old: left behind
    code = (
        "import json, sys; sys.path.append(sys.argv[1]);"
        "from ansible_collections.labctl.lab.plugins.module_utils import lease;"
        "print(lease.take(sys.argv[2], {'id': sys.argv[3], 'controller': 'c'}, 0)[0])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(paths.content_dir() / "collections"), str(folder), f"run{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    verdicts = [p.communicate()[0].strip() for p in procs]
    assert sorted(verdicts) == ["held"] * 7 + ["took over"], verdicts
    assert json.loads((folder / lease.LEASE).read_text())["id"] != "dead"
    assert [p.name for p in folder.iterdir()] == [lease.LEASE]  # no temporary file left


def test_a_lease_is_refreshed_and_given_back_only_by_its_holder(tmp_path):
    clock = iter([100.0, 200.0]).__next__
    assert lease.take(str(tmp_path), run("a"), 0, clock=clock)[0] == "taken"
    assert not lease.refresh(str(tmp_path), "b") and not lease.give(str(tmp_path), "b")
    assert lease.refresh(str(tmp_path), "a", clock=lambda: 500.0)
    record = json.loads((tmp_path / lease.LEASE).read_text())
    assert record["refreshed"] == 500.0 and record["since"] == 100.0 and record["store"]["path"] == str(tmp_path)
    assert lease.give(str(tmp_path), "a") and not (tmp_path / lease.LEASE).exists()


def test_a_run_of_this_controller_on_another_machine_is_asked_about_not_waited_for(tmp_path):
    (tmp_path / lease.LEASE).write_text(json.dumps(run("old", machine="ctl:boot", refreshed=time.time())))
    verdict, holder = lease.take(str(tmp_path), run("new", machine="ctl:boot"), 30, ask=True)
    assert verdict == "ask" and holder["id"] == "old"
    assert lease.take(str(tmp_path), run("new", machine="ctl:boot"), 0, gone=["old"])[0] == "took over"


def test_taking_the_lease_sweeps_what_a_killed_run_left_in_the_stores_folder(tmp_path):
    left = tmp_path / lease.INCOMING / "labctl-images-abc"
    left.mkdir(parents=True)
    (left / "sha.tar").write_bytes(b"x" * 10)
    assert lease.leftovers(str(tmp_path)) == [{"path": str(left), "bytes": 10}]
    assert lease.sweep_incoming(str(tmp_path)) == [str(left)]
    assert lease.leftovers(str(tmp_path)) == []


def test_the_lock_and_lease_name_the_store_and_the_holder(tmp_path):
    with lock.hold(path=tmp_path / "run.lock") as held:
        record = json.loads((tmp_path / "run.lock").read_text())
        holder = json.loads((tmp_path / "run.lease").read_text())
        assert record["pid"] == os.getpid() and record["uid"] == os.geteuid() and record["pid_start"]
        assert record["store"]["path"] == str(tmp_path)
        assert holder["id"] == held.identity["id"] == lock.run_identity(True)["id"]
        assert holder["machine"] == lease.machine_id() and holder["pid"] == os.getpid()
    assert not (tmp_path / "run.lease").exists()


def test_a_live_run_of_another_account_on_this_machine_keeps_the_store(tmp_path):
    """`sudo labctl reset ex3` beside `labctl up ex3 -b`: the same controller, both alive."""
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        holder = run("theirs", machine=lease.machine_id(), pid=sleeper.pid, pid_start=lease.start_time(sleeper.pid))
        (tmp_path / lease.LEASE).write_text(json.dumps({**holder, "refreshed": time.time()}))
        with pytest.raises(LabctlError) as caught, lock.hold(path=tmp_path / "run.lock", wait=False):
            pass
        assert caught.value.exit_code == ExitCode.HOST_NOT_READY and "theirs" not in caught.value.message
        assert "Another labctl run works on this machine's Podman store" in caught.value.message
    finally:
        sleeper.kill()
        sleeper.wait()
    with lock.hold(path=tmp_path / "run.lock", wait=False):  # its process is gone: taken over at once
        assert json.loads((tmp_path / lease.LEASE).read_text())["pid"] == os.getpid()


# --- work for a user done as that user ------------------------------------------------------------


@pytest.fixture
def reachable():
    """A folder every account can reach (pytest's tmp_path is under root's private folder)."""
    folder = Path(tempfile.mkdtemp(prefix="labctl-boundary-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="changes ids: needs root")
def test_as_a_user_a_planted_link_leads_only_where_the_user_may_write(reachable):
    tmp_path = reachable
    spec = paths.content_dir() / "collections/ansible_collections/labctl/lab/plugins/modules/user_file.py"
    sys.modules.pop("labctl_user_file", None)
    import importlib.util

    loaded = importlib.util.spec_from_file_location("labctl_user_file", spec)
    user_file = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(user_file)
    victim = tmp_path / "etc"
    victim.mkdir(mode=0o755)
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, NOBODY.pw_uid, NOBODY.pw_gid)
    (home / ".config").symlink_to(victim)
    target = str(home / ".config" / "containers" / "storage.conf")
    with pytest.raises(as_user.AsUserError) as caught:
        as_user.call(NOBODY.pw_uid, NOBODY.pw_gid, user_file.apply, target, "x", 0o644, "# labctl", "present", False)
    assert caught.value.strerror == "Permission denied"
    assert list(victim.iterdir()) == [] and victim.stat().st_uid == 0 and stat.S_IMODE(victim.stat().st_mode) == 0o755
    # Where the user may write, it is written, as the user.
    (home / ".config").unlink()
    done = as_user.call(
        NOBODY.pw_uid, NOBODY.pw_gid, user_file.apply, target, "# labctl\n", 0o644, "# labctl", "present", False
    )
    assert done == {"changed": True, "foreign": False}
    assert Path(target).stat().st_uid == NOBODY.pw_uid and (home / ".config").stat().st_uid == NOBODY.pw_uid
    fd = as_user.open_fd(NOBODY.pw_uid, NOBODY.pw_gid, str(home / "lock"), os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    assert (home / "lock").stat().st_uid == NOBODY.pw_uid


def test_podman_runs_in_a_session_of_its_own_without_the_terminal_or_its_input():
    """A student's podman (or a helper their configuration names) must not reach root's terminal."""
    probe = (
        "import json, os\n"
        "try:\n    os.close(os.open('/dev/tty', os.O_RDWR)); tty = True\nexcept OSError:\n    tty = False\n"
        "print(json.dumps({'own_session': os.getsid(0) == os.getpid(), 'tty': tty, 'stdin_tty': os.isatty(0)}))\n"
    )
    pid, master = pty.fork()
    if pid == 0:  # a process with a terminal, as labctl run by root in a shell
        try:
            podman = Podman()
            podman.prefix = [sys.executable, "-c", probe]
            os.write(1, ("RESULT " + podman.run()).encode())
        finally:
            os._exit(0)
    output = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    os.waitpid(pid, 0)
    found = json.loads(output.decode().split("RESULT ", 1)[1].strip())
    assert found == {"own_session": True, "tty": False, "stdin_tty": False}


# --- bundles --------------------------------------------------------------------------------------


def docker_archive(tags: dict[str, str]) -> bytes:
    """A docker archive as `podman save -m` makes it (manifest.json naming configs and tags)."""
    data = io.BytesIO()
    listing = [
        {"Config": f"{image_id}.json", "RepoTags": [t for t, i in tags.items() if i == image_id], "Layers": []}
        for image_id in dict.fromkeys(tags.values())
    ]
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name, content in [("manifest.json", json.dumps(listing).encode())] + [
            (f"{i}.json", b"{}") for i in dict.fromkeys(tags.values())
        ]:
            entry = tarfile.TarInfo(name)
            entry.size = len(content)
            tar.addfile(entry, io.BytesIO(content))
    return data.getvalue()


def make_bundle(path: Path, listed: dict[str, str], archive: bytes, link: bool = False) -> None:
    import hashlib

    manifest = {
        "format": 1,
        "images": [{"reference": r, "id": i} for r, i in listed.items()],
        "archive": {"name": "images.tar", "size": len(archive), "sha256": hashlib.sha256(archive).hexdigest()},
    }
    with tarfile.open(path, "w") as tar:
        data = json.dumps(manifest).encode()
        entry = tarfile.TarInfo("labctl-bundle.json")
        entry.size = len(data)
        tar.addfile(entry, io.BytesIO(data))
        entry = tarfile.TarInfo("images.tar")
        if link:
            entry.type, entry.linkname = tarfile.SYMTYPE, "/etc/shadow"
            tar.addfile(entry)
        else:
            entry.size = len(archive)
            tar.addfile(entry, io.BytesIO(archive))


ALPINE = "docker.io/library/alpine:latest"
COURSE = {ALPINE, "docker.io/library/nginx:alpine"}


class NoPodman:
    """A store that must not be touched: any podman call fails the test."""

    whose = "this machine's store"

    def images(self):
        return {}

    def feed(self, *a):
        raise AssertionError("podman load ran")

    def run(self, *a, **k):
        raise AssertionError(f"podman {a} ran")


@pytest.mark.parametrize(
    ("what", "listed", "tags", "words"),
    [
        ("an extra tag", {ALPINE: "a" * 64}, {ALPINE: "a" * 64, "docker.io/library/evil:1": "a" * 64}, "evil:1"),
        ("a foreign image", {"docker.io/library/evil:1": "b" * 64}, {"docker.io/library/evil:1": "b" * 64}, "no image"),
        ("another image", {ALPINE: "a" * 64}, {ALPINE: "c" * 64}, "does not hold"),
    ],
)
def test_a_bundle_that_would_tag_more_or_else_than_its_manifest_and_the_course_is_refused(
    tmp_path, what, listed, tags, words
):
    make_bundle(tmp_path / "b.tar", listed, docker_archive(tags))
    with pytest.raises(LabctlError) as caught:
        images.load(tmp_path / "b.tar", NoPodman(), lambda *a: None, allowed=COURSE)
    assert caught.value.exit_code == ExitCode.USAGE, what
    assert words in caught.value.message and "nothing was loaded" in caught.value.message


def test_a_link_member_or_a_huge_manifest_is_one_sentence_not_a_traceback(tmp_path):
    make_bundle(tmp_path / "link.tar", {ALPINE: "a" * 64}, b"", link=True)
    with pytest.raises(LabctlError, match="is a link, not a file") as caught:
        images.read_manifest(tmp_path / "link.tar")
    assert caught.value.exit_code == ExitCode.USAGE
    with tarfile.open(tmp_path / "huge.tar", "w") as tar:
        entry = tarfile.TarInfo("labctl-bundle.json")
        entry.size = images.MAX_MANIFEST + 1
        tar.addfile(entry, io.BytesIO(b" " * entry.size))
    with pytest.raises(LabctlError, match="more than a manifest holds"):
        images.read_manifest(tmp_path / "huge.tar")


# --- look-alikes, the quick look, scenario folders, output -------------------------------------------


class Store:
    def __init__(self, images):
        self._images, self.calls = images, []

    def images(self):
        return self._images

    def run(self, *args, **kw):
        self.calls.append(args)
        return ""


def test_build_lookalikes_keeps_a_real_image_of_the_same_name_unless_forced(monkeypatch):
    nginx = lookalikes.recipes()["nginx"]
    real = {"Id": "real", "Labels": {}}
    store = Store(dict.fromkeys(nginx.tags, real))
    built = []
    monkeypatch.setattr(lookalikes, "_build_one", lambda podman, recipe, certs: built.append(recipe.name))
    monkeypatch.setattr(lookalikes, "supported", lambda: None)
    results = lookalikes.build(store, [nginx.tags[0]])
    mine = next(r for r in results if r.name == "nginx")
    assert mine.state == "kept the real image" and "--force replaces it" in mine.message
    assert "nginx" not in built and not [c for c in store.calls if c[:2] == ("image", "rm")]
    forced = lookalikes.build(store, [nginx.tags[0]], force=True)
    assert next(r for r in forced if r.name == "nginx").state == "built"


def test_the_quick_look_answers_only_for_the_store_the_run_would_touch(monkeypatch):
    looked, ran = [], []
    monkeypatch.setattr(actions, "quick_look", lambda scenario, digest: looked.append(1) or "")
    monkeypatch.setattr(actions, "run_playbook", lambda *a, **k: ran.append(k) or actions._in_place_result(None, 0))
    monkeypatch.setattr(actions.lock, "hold", lambda **k: __import__("contextlib").nullcontext())
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    ex1 = scenarios.load("ex1")
    actions.run_scenario_action(ex1, "up", connection=Connection())
    assert looked and not ran
    looked.clear()
    actions.run_scenario_action(ex1, "up", connection=Connection(become=True))  # -b: root's store
    assert not looked and ran


@pytest.mark.parametrize(
    ("said", "looked", "unfinished"),
    [
        ("no record of an earlier up", True, True),  # no up finished here: what is there is a leftover
        ("the scenario's content changed since the last up", True, False),
        (None, False, False),  # the quick look could not tell: the playbook's look decides
    ],
)
def test_the_quick_look_tells_up_whether_an_up_ever_finished_on_this_store(monkeypatch, said, looked, unfinished):
    ran = []
    monkeypatch.setattr(actions, "quick_look", lambda scenario, digest: said)
    monkeypatch.setattr(actions, "run_playbook", lambda *a, **k: ran.append(a[1]) or actions._in_place_result(None, 0))
    monkeypatch.setattr(actions.lock, "hold", lambda **k: __import__("contextlib").nullcontext())
    actions.run_scenario_action(scenarios.load("ex2"), "up", connection=Connection())
    assert fingerprints.NO_RECORD == "no record of an earlier up"
    assert (ran[0]["lab_looked"], ran[0]["lab_unfinished"]) == (looked, unfinished)


def test_scenario_folders_must_be_absolute_and_roots_must_be_roots_alone(tmp_path, monkeypatch):
    monkeypatch.setenv(scenarios.SCENARIO_PATH_ENV, "relative/scenarios")
    with pytest.raises(LabctlError) as caught:
        scenarios.scenario_dirs()
    assert caught.value.exit_code == ExitCode.USAGE
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(scenarios.SCENARIO_PATH_ENV, str(shared))
    with pytest.raises(LabctlError) as caught:
        scenarios.scenario_dirs()
    assert caught.value.exit_code == ExitCode.HOST_NOT_READY and "may be written by" in caught.value.message
    shared.chmod(0o755)
    assert scenarios.scenario_dirs()[-1] == shared


def test_what_a_lab_returns_reaches_the_terminal_without_its_control_characters():
    nasty = "Hello \x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[H[bold]class[/] \u202eevil\r\x9b31m"
    assert report.clean(nasty) == "Hello ]52;c;ZXZpbA==[2J[H[bold]class[/] evil31m"
    assert "\x1b" not in report.escape(nasty) and "\\[bold]" in report.escape(nasty)
    console = report.Console(record=True, width=200, color_system=None, file=io.StringIO())
    monkey = report.out
    report.out = console
    try:
        report.print_checks([Check("h", nasty, "FAIL", found=nasty, hint=nasty)], show_host=False)
    finally:
        report.out = monkey
    assert not any(c in console.export_text() for c in "\x1b\x07\x9b\u202e\r")


def test_csv_cells_a_spreadsheet_would_evaluate_are_text(tmp_path):
    assert room.csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [room.csv_cell(v) for v in ("+1", "-2", "@SUM(A1)", "ok", "\x1b[2Jx")] == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "ok",
        "[2Jx",
    ]


def test_csv_is_written_only_in_a_folder_no_other_account_may_change(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    with pytest.raises(LabctlError) as caught:
        room.write_csv(theirs / "class.csv", [])
    assert caught.value.exit_code == ExitCode.HOST_NOT_READY and "folder of nobody" in caught.value.message
    target = tmp_path / "class.csv"
    target.symlink_to(tmp_path / "victim")
    room.write_csv(target, [])
    assert not (tmp_path / "victim").exists() and not target.is_symlink()


def test_the_controllers_archive_cache_sweeps_partial_saves_and_anything_not_an_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    cache = paths.make_state_dir("images")
    # set1 holds images a and b (both still in the store); set2 holds c, which is gone; set3 lost its .ids;
    # set4's .ids is a link; set5 is only an .ids (its save was killed before the rename).
    for name, data in {
        "set1.tar": "x", "set1.ids": "a\nb\n", "set1.tar.part": "x", "set2.tar": "x", "set2.ids": "a\nc\n",
        "set3.tar": "x", "set4.tar": "x", "set5.ids": "a\n", "empty.tar": "x", "empty.ids": "", "x.txt": "x",
    }.items():  # fmt: skip
        (cache / name).write_text(data)
    (cache / "set4.ids").symlink_to(cache / "set1.ids")
    (cache / "link.tar").symlink_to("/etc/hostname")
    (cache / "link.ids").write_text("a\n")
    (cache / "folder.tar").mkdir()
    assert images.controller_cache({"a", "b", "link"}) == cache
    assert sorted(p.name for p in cache.iterdir()) == ["set1.ids", "set1.tar"]


# --- the leases of a run on an inventory (real ansible-runner runs on this machine) -------------------


@pytest.fixture
def two_machines(tmp_path, monkeypatch):
    """Two 'machines' (this one, connection local), each with its lease folder in tmp_path; the run's
    own lock and state in tmp_path too."""
    import yaml

    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(lock, "lock_path", lambda: tmp_path / "run.lock")
    inventory = tmp_path / "room.ini"
    inventory.write_text(
        "".join(
            f"{h} ansible_connection=local ansible_python_interpreter={sys.executable} lab_lease_dir={tmp_path / h}\n"
            for h in ("pc1", "pc2")
        )
    )
    playbooks = paths.content_dir() / "playbooks"

    def play(*tasks: dict) -> str:
        path = tmp_path / "play.yml"
        plays = [
            {"ansible.builtin.import_playbook": str(playbooks / "lease_take.yml")},
            {"name": "Work", "hosts": "all", "gather_facts": False, "tasks": list(tasks)},
            {"ansible.builtin.import_playbook": str(playbooks / "lease_give.yml")},
        ]
        path.write_text(yaml.safe_dump(plays, sort_keys=False))
        return str(path)

    return tmp_path, Connection(inventory=str(inventory)), play


def test_every_machine_gives_its_lease_back_also_when_it_failed(two_machines):
    from labctl.core import runner

    tmp_path, conn, play = two_machines
    fail_pc1 = {"name": "Fail on pc1", "ansible.builtin.fail": {"msg": "boom"}, "when": "inventory_hostname == 'pc1'"}
    result = runner.run_playbook(play(fail_pc1), {}, label="t", connection=conn)
    assert [f.host for f in result.failures] == ["pc1"]
    assert not (tmp_path / "pc1" / lease.LEASE).exists() and not (tmp_path / "pc2" / lease.LEASE).exists()
    # Every machine failed: Ansible runs no later play, labctl gives the leases back itself.
    result = runner.run_playbook(
        play({"name": "Fail", "ansible.builtin.fail": {"msg": "boom"}}), {}, label="t", connection=conn
    )
    assert {f.host for f in result.failures} == {"pc1", "pc2"}
    assert not (tmp_path / "pc1" / lease.LEASE).exists() and not (tmp_path / "pc2" / lease.LEASE).exists()


def test_a_long_run_on_an_inventory_refreshes_its_leases(two_machines, monkeypatch):
    from labctl.core import runner

    _, conn, play = two_machines
    monkeypatch.setenv("LABCTL_LEASE_REFRESH", "1")
    read = {"name": "Read the lease", "ansible.builtin.slurp": {"src": "{{ lab_lease_dir }}/run.lease"}}
    wait = {"name": "Work a while", "ansible.builtin.command": "sleep 4", "changed_when": False}
    result = runner.run_playbook(play(read, wait, dict(read, name="Read it again")), {}, label="t", connection=conn)
    assert result.ok
    import base64

    def lease_of(task: str) -> dict:
        for path in result.artifacts.glob("artifacts/*/job_events/*.json"):
            ev = json.loads(path.read_text())
            data = ev.get("event_data") or {}
            if ev.get("event") == "runner_on_ok" and data.get("task") == task and data.get("host") == "pc1":
                return json.loads(base64.b64decode(data["res"]["content"]))
        raise AssertionError(f"no result of {task}")

    first, later = lease_of("Read the lease"), lease_of("Read it again")
    assert first["id"] == later["id"] and later["since"] == first["since"]
    assert later["refreshed"] > first["refreshed"], (first, later)
    assert later["pid"] == os.getpid() and later["machine"] == lease.machine_id()
