"""Trust on a shared machine, on real Podman: values are data, runs take turns, secrets stay hidden."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from labctl.core import lock
from tests.conftest import labctl_bin, podman, run_labctl

pytestmark = [pytest.mark.podman]

PWNED = Path("/tmp/labctl-injection-ran")


def test_a_template_in_a_var_is_a_plain_string_and_runs_nothing(clean_scenario):
    clean_scenario("ex2")
    PWNED.unlink(missing_ok=True)
    greeting = "{{ lookup('pipe', 'touch " + str(PWNED) + "') }}"
    up = run_labctl("up", "ex2", "--var", f"ex2_pod_mysql_greeting={greeting}")
    assert up.rc == 0, up.stdout + up.stderr
    assert not PWNED.exists(), "a --var value was templated"
    env = podman("container", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", "webapp")
    assert f"GREETING={greeting}" in env.splitlines()
    verify = run_labctl("verify", "ex2", "--json", "--look-only")
    assert verify.rc == 0, verify.stdout
    page = next(c for c in verify.json()["checks"] if c["name"].startswith("GET http://localhost:8080"))
    assert greeting in page["found"]


def test_the_password_reaches_no_output_run_folder_or_status(clean_scenario, tmp_path):
    clean_scenario("ex2")
    password = "Pw-{{not-a-template}}-7741"
    state = tmp_path / "state"
    env = {"LABCTL_STATE_DIR": str(state)}  # root's run folders, in a folder of this test's
    up = run_labctl("up", "ex2", "--var", f"ex2_pod_mysql_root_password={password}", "--json", env=env)
    assert up.rc == 0, up.stdout + up.stderr
    verify = run_labctl("verify", "ex2", "--json", "--debug", env=env)
    status = run_labctl("status", "ex2", "--json", env=env)
    for done in (up, verify, status):
        assert password not in done.stdout + done.stderr
    leaks = [p for p in state.rglob("*") if p.is_file() and password in p.read_text(errors="replace")]
    assert leaks == [], leaks
    # The database got it as given (the {{ }} is just characters), through a Podman secret: no
    # command line of the containers carries it.
    seen = podman("exec", "database", "sh", "-c", 'printf %s "$MYSQL_ROOT_PASSWORD"')
    assert seen == password
    for name in ("database", "webapp"):
        assert password not in podman("container", "inspect", "--format", "{{.Config.CreateCommand}}", name)


def test_two_runs_take_turns_and_no_wait_says_who_holds_the_store(clean_scenario):
    clean_scenario("ex1")
    run_labctl("clean", "ex1")
    first = subprocess.Popen([labctl_bin(), "up", "ex1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30  # until the first run holds the store's lock
        path = lock.lock_path()
        while not (path.exists() and "up ex1" in path.read_text(errors="replace")):
            assert first.poll() is None, f"the first up ended before it held the lock: {first.communicate()}"
            assert time.monotonic() < deadline, "the first up did not take the store's lock within 30 s"
            time.sleep(0.1)
        busy = run_labctl("clean", "ex1", "--no-wait")
        assert busy.rc == 3, busy.stdout + busy.stderr
        assert "labctl up ex1" in busy.stderr and "is running on this Podman store" in busy.stderr
        second = run_labctl("verify", "ex1")  # waits its turn, then finds the lab up
        assert second.rc == 0, second.stdout + second.stderr
        assert "Waiting for labctl up ex1" in second.stderr
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err


def test_no_process_command_line_shows_the_password_during_up(clean_scenario, tmp_path):
    """Sample every process's command line while ex2 comes up, the password given from a file."""
    clean_scenario("ex2")
    run_labctl("clean", "ex2")
    password = "Ps-Sampled-5521"
    secret = tmp_path / "pw"
    secret.write_text(password + "\n")
    proc = subprocess.Popen(
        [labctl_bin(), "up", "ex2", "--var", f"ex2_pod_mysql_root_password=@{secret}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen, samples = [], 0
    while proc.poll() is None:
        for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
            try:  # a process may end between the listing and the read
                args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if password in args:
                seen.append(args)
        samples += 1
    out, err = proc.communicate()
    assert proc.returncode == 0, out + err
    assert samples > 10, "too few samples to mean anything"
    assert seen == [], seen[:3]
    assert podman("exec", "database", "sh", "-c", 'printf %s "$MYSQL_ROOT_PASSWORD"') == password


LEASE = Path("/var/lib/labctl/run.lease")


def write_lease(controller: str, since: float, **holder) -> None:
    LEASE.parent.mkdir(parents=True, exist_ok=True)
    LEASE.write_text(
        json.dumps(
            {
                "id": "0" * 32,
                "controller": controller,
                "user": "it",
                "command": "labctl reset --all -i room.ini",
                "since": since,
                **holder,
            }
        )
    )


def test_a_run_from_another_controller_holds_this_machine_and_a_stale_or_own_lease_is_taken_over(clean_scenario):
    clean_scenario("ex1")
    try:
        # Another controller (IT's laptop) works on this machine right now: --no-wait refuses, naming it.
        write_lease("it-laptop (0badcafe)", time.time())
        refused = run_labctl("up", "ex1", "--converge", "--no-wait")
        assert refused.rc == 3, refused.stdout + refused.stderr
        assert "Another labctl run works on this machine's Podman store" in refused.stderr
        assert "labctl reset --all -i room.ini (it on it-laptop (0badcafe)" in refused.stderr
        assert not podman("ps", "-aq", "--filter", "label=io.labctl.scenario=ex1").split()

        # That run crashed two hours ago: its lease is taken over, and given back at the end.
        write_lease("it-laptop (0badcafe)", time.time() - 7200)
        up = run_labctl("up", "ex1", "--converge", "--no-wait")
        assert up.rc == 0, up.stdout + up.stderr
        assert not LEASE.exists()

        # A lease this controller's killed run left behind is taken over at once: its PID is dead here.
        me = lock.run_identity(True)
        gone = subprocess.Popen(["true"])
        gone.wait()
        write_lease(me["controller"], time.time(), machine=me["machine"], pid=gone.pid, pid_start=1)
        again = run_labctl("verify", "ex1", "--no-wait")
        assert again.rc == 0, again.stdout + again.stderr
        assert not LEASE.exists()

        # A live run of this controller (another account's, say) is waited for, not taken over.
        with subprocess.Popen(["sleep", "60"]) as live:
            start = lock.start_time(live.pid)
            write_lease(me["controller"], time.time(), machine=me["machine"], pid=live.pid, pid_start=start)
            busy = run_labctl("verify", "ex1", "--no-wait")
            live.kill()
        assert busy.rc == 3, busy.stdout + busy.stderr
        assert "Another labctl run works on this machine's Podman store" in busy.stderr
    finally:
        LEASE.unlink(missing_ok=True)
