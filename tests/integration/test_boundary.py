"""The account boundary (issue 17): a student account against a root labctl on one machine.

Each test is an attack a student can make on a machine they share with a root labctl, or a
mistake a careful admin makes (`sudo -E`), and what labctl must do: act on the student's paths only
as the student, keep root's state in root's places, let one run at a time work on a store, refuse a
bundle that would tag more than it says, and sweep what an interrupted run left.
"""

import hashlib
import io
import json
import pwd
import select
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Student, labctl_bin, podman, remove_account, run_labctl

pytestmark = pytest.mark.podman

ACCOUNT = "labctl-boundary"  # a student account of these tests alone: its store is never touched by Podman
NGINX = "docker.io/library/nginx:alpine"
EXTRA = "localhost/labctl-boundary-extra:1"


@pytest.fixture(scope="module", autouse=True)
def fresh_account() -> Iterator[None]:
    """The account is made for this module and removed after it: what root leaves in its home can only
    come from the labctl runs of these tests, and nothing of it stays on the machine."""
    remove_account(ACCOUNT)
    subprocess.run(["useradd", "--create-home", ACCOUNT], check=True)
    try:
        yield
    finally:
        remove_account(ACCOUNT)


def boundary_student() -> Student:
    return Student(ACCOUNT)


def home_of(student: Student) -> Path:
    return Path(pwd.getpwnam(student.name).pw_dir)


def rooted_in(home: Path) -> list[str]:
    """Files of root's in a student's home: what a root labctl must never leave there."""
    return [str(p) for p in home.rglob("*") if p.lstat().st_uid == 0]


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A root-owned folder (mode 0755) outside root's private temporary folders: what a student may link to."""
    folder = Path(tempfile.mkdtemp(prefix="labctl-boundary-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_student(student: Student, *argv: str) -> None:
    done = student.run(*argv)
    assert done.rc == 0, done.stdout + done.stderr


def test_host_setup_for_a_student_never_follows_their_links_as_root(reachable):
    student = boundary_student()
    home = home_of(student)
    victim = reachable / "etc-like"
    victim.mkdir(mode=0o755)
    as_student(student, "rm", "-rf", f"{home}/.config", f"{home}/.local/share/containers")
    as_student(student, "ln", "-s", str(victim), f"{home}/.config")
    try:
        done = run_labctl("host", "setup", "--lab-user", student.name)
        # Root never wrote through the student's link: the folder is still root's, 0755, and empty.
        assert list(victim.iterdir()) == []
        assert victim.stat().st_uid == 0 and stat.S_IMODE(victim.stat().st_mode) == 0o755
        assert done.rc == 3, done.stdout + done.stderr
        assert f"as {student.name}" in done.stderr and "Traceback" not in done.stderr
        # Without the link, the student's own storage.conf is written, as the student.
        as_student(student, "rm", f"{home}/.config")
        again = run_labctl("host", "setup", "--lab-user", student.name)
        assert again.rc == 0, again.stdout + again.stderr
        written = home / ".config" / "containers" / "storage.conf"
        assert written.stat().st_uid == pwd.getpwnam(student.name).pw_uid
        assert (home / ".config").stat().st_uid == pwd.getpwnam(student.name).pw_uid
        assert 'driver = "overlay"' in written.read_text()
        assert rooted_in(home) == []
    finally:
        student.run("rm", "-rf", f"{home}/.config")


def test_root_under_sudo_E_keeps_its_state_out_of_a_students_home(reachable):
    """`sudo -E labctl …` keeps the student's HOME and XDG_STATE_HOME; the student linked their run
    folders to a folder of 30 of root's folders."""
    student = boundary_student()
    home = home_of(student)
    victims = reachable / "victims"
    victims.mkdir()
    gone = subprocess.Popen(["true"])  # run folders of a run that is over: a sweep would take them
    gone.wait()
    names = [f"20250101-1000{n:02d}-{gone.pid}-up-ex1" for n in range(30)]
    for name in names:
        (victims / name).mkdir()
    state = f"{home}/.local/state"
    as_student(student, "rm", "-rf", f"{home}/.local/state", f"{home}/.ansible")
    as_student(student, "mkdir", "-p", f"{state}/labctl")
    as_student(student, "ln", "-s", str(victims), f"{state}/labctl/runs")
    env = {"HOME": str(home), "XDG_STATE_HOME": state, "XDG_CONFIG_HOME": f"{home}/.config"}
    try:
        done = run_labctl("host", "check", env=env)
        assert "Traceback" not in done.stderr and done.rc in (0, 3, 5), done.stdout + done.stderr
        assert sorted(p.name for p in victims.iterdir()) == names
        assert all(not any(p.iterdir()) for p in victims.iterdir()), "root wrote into the linked folders"
        assert rooted_in(home) == [], "root left files in the student's home"
        # The student's own labctl keeps working in their home (no PermissionError on root's files).
        as_student(student, "rm", f"{state}/labctl/runs")
        own = student.labctl("host", "check", env={"XDG_STATE_HOME": state})
        assert "Permission" not in own.stdout + own.stderr and "Traceback" not in own.stderr, own.stderr
        # A state folder of the student's that others may write is refused, in one sentence.
        as_student(student, "chmod", "0777", f"{state}/labctl")
        refused = student.labctl("host", "check", env={"XDG_STATE_HOME": state})
        assert refused.rc == 3, refused.stdout + refused.stderr
        assert "labctl will not keep its state in" in refused.stderr and "0777" in refused.stderr
    finally:
        student.run("rm", "-rf", f"{home}/.local/state", f"{home}/.ansible")


def test_root_lays_out_no_files_through_a_folder_a_student_controls(reachable, clean_scenario):
    """`labctl prepare ex2 --dir ~student/lab` as root: the student made ~/lab a link to a folder of root's."""
    clean_scenario("ex2")
    student = boundary_student()
    home = home_of(student)
    victim = reachable / "srv"
    victim.mkdir(mode=0o755)
    as_student(student, "rm", "-rf", f"{home}/lab")
    as_student(student, "ln", "-s", str(victim), f"{home}/lab")
    try:
        done = run_labctl("prepare", "ex2", "--dir", f"{home}/lab/ex2")
        assert done.rc == 3, done.stdout + done.stderr
        assert "labctl will not write" in done.stderr and "Traceback" not in done.stderr
        assert list(victim.iterdir()) == []
        assert rooted_in(home) == []
    finally:
        student.run("rm", "-rf", f"{home}/lab")


@pytest.fixture
def bundle_of_ex1(tmp_path) -> Path:
    bundle = tmp_path / "ex1.tar"
    saved = run_labctl("images", "save", "-o", str(bundle), "ex1")
    assert saved.rc == 0, saved.stdout + saved.stderr
    bundle.chmod(0o644)
    return bundle


def image_names(student: Student) -> set[str]:
    listed = student.podman("images", "--format", "json")
    assert listed.rc == 0, listed.stderr
    return {name for image in json.loads(listed.stdout or "[]") for name in image.get("Names") or []}


def forget_images(student: Student, *refs: str) -> None:
    for ref in refs:
        student.podman("rmi", "-f", ref)


def test_root_waits_for_a_students_live_run_before_loading_into_their_store(rootless_student, bundle_of_ex1):
    student = rootless_student
    forget_images(student, NGINX)
    before = image_names(student)
    # The student's own labctl holds their store (its lock and lease), as a run of theirs does.
    python = str(Path(labctl_bin()).parent / "python")
    holder = subprocess.Popen(
        [
            "runuser", "-u", student.name, "--", "env", f"HOME=/home/{student.name}", "PATH=/usr/bin:/bin",
            python, "-c",
            "import os, sys\nfrom labctl.core import lock\nwith lock.hold():\n"
            "    print('held', os.getpid(), flush=True)\n    sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd="/",
    )  # fmt: skip
    try:
        ready, _, _ = select.select([holder.stdout], [], [], 60)
        said = holder.stdout.readline().split() if ready else []
        assert said[:1] == ["held"], "the student's run never held its store"
        refused = run_labctl("images", "load", str(bundle_of_ex1), "--lab-user", student.name, "--no-wait")
        assert refused.rc == 3, refused.stdout + refused.stderr
        assert f"PID {said[1]}" in refused.stderr and student.name in refused.stderr
        assert image_names(student) == before, "root loaded into the store while the student's run held it"
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    try:
        loaded = run_labctl("images", "load", str(bundle_of_ex1), "--lab-user", student.name, "--no-wait", "--json")
        assert loaded.rc == 0, loaded.stdout + loaded.stderr
        assert NGINX in image_names(student)
        lease = Path(f"/home/{student.name}/.local/state/labctl/run.lease")
        assert not lease.exists(), "the student's lease was not given back"
    finally:
        forget_images(student, NGINX)


def tampered_bundle(folder: Path) -> Path:
    """A bundle whose image archive carries one more tag than its manifest lists; the manifest's
    checksum is made over that archive (a manifest vouches for itself)."""
    archive = folder / "images.tar"
    podman("tag", NGINX, EXTRA)
    try:
        podman("save", "-m", "-q", "-o", str(archive), NGINX, EXTRA)
    finally:
        podman("untag", NGINX, EXTRA, check=False)
    image_id = podman("image", "inspect", "--format", "{{.Id}}", NGINX).strip()
    data = archive.read_bytes()
    manifest = {
        "format": 1,
        "images": [{"reference": NGINX, "id": image_id, "kind": "pulled", "scenarios": ["ex1"]}],
        "archive": {"name": "images.tar", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
    }
    bundle = folder / "bundle.tar"
    with tarfile.open(bundle, "w") as tar:
        raw = json.dumps(manifest).encode()
        entry = tarfile.TarInfo("labctl-bundle.json")
        entry.size = len(raw)
        tar.addfile(entry, io.BytesIO(raw))
        tar.add(archive, "images.tar")
    bundle.chmod(0o644)
    return bundle


def test_a_bundle_that_would_tag_more_than_its_manifest_says_is_refused_and_nothing_is_loaded(
    rootless_student, tmp_path
):
    student = rootless_student
    forget_images(student, NGINX, EXTRA)
    bundle = tampered_bundle(tmp_path)
    before = image_names(student)
    try:
        done = run_labctl("images", "load", str(bundle), "--lab-user", student.name)
        assert done.rc == 2, done.stdout + done.stderr
        assert EXTRA in done.stderr and "nothing was loaded" in done.stderr
        assert image_names(student) == before
    finally:
        forget_images(student, NGINX, EXTRA)


def test_archives_an_interrupted_run_left_are_named_by_status_and_swept_by_the_next_run(tmp_path):
    """A killed room run leaves its copied image archives on the machine, and a half-saved archive on
    the controller (named after an image it has: it would be kept as an archive of that image)."""
    planted = Path("/var/lib/labctl/incoming/labctl-images-planted")
    planted.mkdir(parents=True, exist_ok=True)
    (planted / "0123.tar").write_bytes(b"\0" * 1_000_000)
    image_id = podman("image", "inspect", "--format", "{{.Id}}", "docker.io/library/alpine:latest").strip()
    partial = Path("/var/lib/labctl/images") / f"{image_id}.tar.part"
    partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial.write_bytes(b"half an archive")
    inventory = tmp_path / "room.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    try:
        status = run_labctl("status", "-i", str(inventory))
        assert str(planted) in status.stdout, status.stdout + status.stderr
        assert "the next labctl run on it removes them" in status.stdout
        pulled = run_labctl("images", "pull", "ex1", "-i", str(inventory), "--pull", "missing")
        assert pulled.rc == 0, pulled.stdout + pulled.stderr
        assert not planted.exists() and not partial.exists()
        assert not Path("/var/lib/labctl/run.lease").exists()
    finally:
        shutil.rmtree(planted, ignore_errors=True)
        partial.unlink(missing_ok=True)
    # Nothing is named once it is clean.
    assert "interrupted" not in run_labctl("status", "-i", str(inventory)).stdout
