"""One run at a time per Podman store: a real flock held by real processes, and the processes a run leaves."""

import json
import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labctl.core import lock
from labctl.core.errors import ExitCode, LabctlError

HOLDER = """
import sys, time
from pathlib import Path
from labctl.core import lock
sys.argv = ["labctl", "up", "ex2", "--var", "ex2_pod_mysql_root_password=hunter2"]
with lock.hold(path=Path({path!r})) as held:
    if {child!r}:
        held.set_child(int({child!r}))
    print("held", flush=True)
    time.sleep(60)
"""


def start_holder(path: Path, child: int = 0) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(path=str(path), child=str(child) if child else "")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()


def test_a_second_run_without_waiting_is_told_who_holds_the_store(tmp_path):
    holder = start_holder(tmp_path / "run.lock")
    try:
        with pytest.raises(LabctlError) as err, lock.hold(path=tmp_path / "run.lock", wait=False):
            pass
    finally:
        stop(holder)
    message = err.value.message
    assert err.value.exit_code == ExitCode.HOST_NOT_READY
    assert message.startswith(f"labctl up ex2 --var ex2_pod_mysql_root_password=… (PID {holder.pid}, ")
    assert "hunter2" not in message and ", since " in message
    assert message.endswith("is running on this Podman store; try again when it has finished.")


def test_a_second_run_waits_saying_for_whom_and_goes_on_when_the_holder_is_gone(tmp_path):
    holder = start_holder(tmp_path / "run.lock")
    said = []

    def waiting(message: str) -> None:  # once it says it waits, the holder dies (the kernel frees the flock)
        said.append(message)
        holder.kill()

    with lock.hold(path=tmp_path / "run.lock", say=waiting) as held:
        assert holder.wait(timeout=5) == -9  # it got the store only after the holder was gone
        record = json.loads((tmp_path / "run.lock").read_text())
        assert record["pid"] == os.getpid() == held.record["pid"]
        assert {"user", "host", "command", "since"} <= set(record)
    assert said[0].startswith(f"Waiting for labctl up ex2 --var ex2_pod_mysql_root_password=… (PID {holder.pid}, ")
    assert said[0].endswith(") to finish…")
    assert (tmp_path / "run.lock").read_text() == ""  # a clean end leaves no record


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    with lock.hold(path=tmp_path / "run.lock") as outer, lock.hold(path=tmp_path / "other.lock") as inner:
        assert inner is outer


def fake_ansible_playbook(until: Path) -> subprocess.Popen:
    """A real process that looks like ansible-playbook (its argv[0]) and runs until the file `until` exists
    (at most 60 s); returned once it has that name."""
    wait = f"for i in $(seq 1200); do [ -e {until} ] && exit 0; sleep 0.05; done"
    proc = subprocess.Popen(["bash", "-c", f"exec -a ansible-playbook bash -c '{wait}'"])
    deadline = time.monotonic() + 10
    while not lock.is_ansible_playbook(proc.pid):  # bash has not exec'd yet
        assert time.monotonic() < deadline and proc.poll() is None, "the fake ansible-playbook did not start"
        time.sleep(0.01)
    return proc


def test_a_dead_holders_ansible_playbook_is_waited_for_then_stopped(tmp_path):
    orphan = fake_ansible_playbook(until=tmp_path / "never")
    stop(start_holder(tmp_path / "run.lock", child=orphan.pid))  # SIGKILL: no chance to clean up
    said = []
    with lock.hold(path=tmp_path / "run.lock", orphan_wait=0.5, say=said.append):
        assert orphan.poll() is not None
    assert f"ended without stopping its ansible-playbook (PID {orphan.pid})" in said[0]
    assert said[1] == f"Stopping that ansible-playbook (PID {orphan.pid}) and its workers."


def test_a_dead_holders_ansible_playbook_that_finishes_in_time_is_left_to_finish(tmp_path):
    orphan = fake_ansible_playbook(until=tmp_path / "done")
    stop(start_holder(tmp_path / "run.lock", child=orphan.pid))
    said = []

    def waiting(message: str) -> None:  # while labctl waits for it, the orphan finishes its work
        said.append(message)
        (tmp_path / "done").touch()

    with lock.hold(path=tmp_path / "run.lock", orphan_wait=30, say=waiting):
        assert orphan.wait(timeout=1) == 0  # it ended on its own: not killed
    assert len(said) == 1


def test_a_recorded_pid_that_is_no_ansible_playbook_is_left_alone(tmp_path):
    with subprocess.Popen(["sleep", "60"]) as other:
        stop(start_holder(tmp_path / "run.lock", child=other.pid))
        said = []
        with lock.hold(path=tmp_path / "run.lock", orphan_wait=0.1, say=said.append):
            pass
        assert other.poll() is None and said == []
        other.kill()


def test_stop_tree_also_stops_descendants_in_sessions_of_their_own(tmp_path):
    # Like ansible-playbook and its workers: the worker calls setsid, its module's process is its child.
    script = "import subprocess, time; subprocess.Popen(['sleep', '61.3'], start_new_session=True); time.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while not lock.descendants(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    tree = [parent.pid, *lock.descendants(parent.pid)]
    assert len(tree) == 2
    assert lock.stop_tree(parent.pid) == []
    parent.wait()
    assert not any(lock.alive(p) for p in tree)


def test_stop_tree_lets_a_podman_command_finish_before_it_stops_it(tmp_path):
    # A worker running `podman …`: the worker goes at once, the command gets its time to end on its own.
    fake = tmp_path / "podman"
    fake.write_text(f"#!/bin/sh\nsleep 1.5\ntouch {tmp_path}/finished\n")
    fake.chmod(0o755)
    script = f"import subprocess, time; subprocess.Popen([{str(fake)!r}], start_new_session=True); time.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while not lock.descendants(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.stop_tree(parent.pid, finish_within=20) == []
    parent.wait()
    assert (tmp_path / "finished").exists()
    # Past its time, it is stopped like the rest.
    (tmp_path / "finished").unlink()
    fake.write_text(f"#!/bin/sh\nsleep 30\ntouch {tmp_path}/finished\n")
    parent = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    while not lock.descendants(parent.pid) and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    started = time.monotonic()
    assert lock.stop_tree(parent.pid, finish_within=0.5) == []
    parent.wait()
    assert time.monotonic() - started < 10 and not (tmp_path / "finished").exists()


def test_the_command_line_hides_var_values():
    argv = ["up", "ex2", "--var", "a_password=x", "--var=b=y", "--debug"]
    assert lock.command_line(argv) == "labctl up ex2 --var a_password=… --var=b=… --debug"


def test_root_locks_the_machines_store_a_user_their_own_whatever_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lock.lock_path() == Path("/var/lib/labctl/run.lock")
    # A user's lock is in their home from the password database: a login (with XDG_RUNTIME_DIR),
    # cron and `sudo -u` (without) find the same lock, so their runs take turns.
    nobody = pwd.getpwnam("nobody")
    monkeypatch.setattr(os, "geteuid", lambda: nobody.pw_uid)
    assert lock.lock_path() == Path(nobody.pw_dir) / ".local/state/labctl/run.lock"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.delenv("XDG_STATE_HOME")
    assert lock.lock_path() == Path(nobody.pw_dir) / ".local/state/labctl/run.lock"


def test_a_planted_symlink_is_not_followed(tmp_path):
    target = tmp_path / "victim"
    target.write_text("precious")
    (tmp_path / "run.lock").symlink_to(target)
    with pytest.raises(LabctlError) as err, lock.hold(path=tmp_path / "run.lock"):
        pass
    assert err.value.exit_code == ExitCode.HOST_NOT_READY
    assert target.read_text() == "precious"


def test_waiting_can_be_interrupted_and_says_nothing_changed(tmp_path):
    holder = start_holder(tmp_path / "run.lock")
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(LabctlError) as err, lock.hold(path=tmp_path / "run.lock", say=lambda _: None):
            pass
    finally:
        signal.signal(signal.SIGALRM, previous)
        stop(holder)
    assert err.value.exit_code == ExitCode.INTERRUPTED
    assert err.value.message.endswith("; nothing was changed.")


def test_stop_run_also_stops_workers_forked_while_the_tree_was_stopped(tmp_path):
    # Like ansible-playbook forking a worker for the next task while labctl stops its tree: the new worker
    # is in no tree once its parent is gone, but it names the run's folder in its arguments, as they all do.
    mark = str(tmp_path / "runs" / "20261207-000000-1-up-ex2")
    script = (
        "import os, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"  # lives through the grace period, forking on
        "while True:\n"
        "    if os.fork() == 0:\n"
        "        os.setsid(); time.sleep(60); os._exit(0)\n"
        "    time.sleep(0.02)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, mark], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(lock.descendants(parent.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.stop_run(parent.pid, mark, grace=0.5) == []
    parent.wait()
    assert lock.processes_naming(mark) == []


def test_processes_naming_finds_a_run_by_its_folder_and_never_this_process(tmp_path):
    mark = str(tmp_path / "run-folder")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", mark])
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd (before, its arguments are pytest's)
        while lock.processes_naming(mark) != [other.pid] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert lock.processes_naming(mark) == [other.pid]
        assert os.getpid() not in lock.processes_naming(sys.argv[0] or "pytest")
    finally:
        other.kill()
        other.wait()
    assert lock.processes_naming(mark) == []
