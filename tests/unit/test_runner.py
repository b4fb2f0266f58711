"""Turning ansible-runner events into results (pure logic, fed with events shaped like the real ones), and
real ansible-runner runs of tiny playbooks on localhost: extra vars never templated, no secrets kept,
Ctrl-C stops Ansible and its workers."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from labctl.core import environment, events, lock, runner
from labctl.core import extravars as extra
from labctl.core import results as model
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.results import raise_for_failures


def event(kind, task="t", host="localhost", res=None, **data):
    return {"event": kind, "event_data": {"host": host, "task": task, "res": res or {}, **data}}


def test_failure_message_prefers_the_last_stderr_line_over_a_bare_rc_message():
    res = {"msg": "non-zero return code", "stderr": "Trying…\nError: network not found"}
    assert events.failure_message(res) == "Error: network not found"


def test_failure_message_keeps_a_written_message_and_adds_stderr_context():
    res = {"msg": "Failed to pull image x", "stderr": "Error: no such host"}
    assert events.failure_message(res) == "Failed to pull image x (Error: no such host)"


def test_failure_message_uses_only_the_first_line_of_a_long_message():
    assert events.failure_message({"msg": "first line\nsecond line"}) == "first line"


def test_stats_are_read_per_host():
    stats = model.stats_of({"ok": {"a": 3}, "changed": {"a": 1}, "failures": {"b": 2}, "dark": {}, "skipped": {}})
    assert stats["a"].ok == 3 and stats["a"].changed == 1
    assert stats["b"].failed == 2


def test_collector_gathers_checks_changes_failures_and_reports():
    seen = []
    collect = events.EventCollector(lambda host, task: seen.append(task))
    check = {"name": "net", "status": "FAIL", "expected": "e", "found": "f", "hint": "h"}
    for ev in [
        event("playbook_on_task_start", task="Create the network"),
        event("runner_on_ok", task="Create the network", res={"changed": True}),
        event("runner_on_ok", task="Check", res={"labctl_check": check}),
        event("runner_on_ok", task="Probe", res={"labctl_report": {"in_place": True}}),
        event(
            "runner_on_failed", task="Boom", res={"msg": "bad"}, role="ex1", resolved_action="ansible.builtin.command"
        ),
        event("runner_on_failed", task="Ignored", res={"msg": "meh"}, ignore_errors=True),
        event("runner_on_unreachable", task="Gather", host="pc7", res={"msg": "ssh: no route"}),
    ]:
        assert collect(ev) is True
    assert seen == ["Create the network"]
    assert collect.changed_tasks == [("localhost", "Create the network")]
    assert collect.checks == [model.Check("localhost", "net", "FAIL", "e", "f", "h")]
    assert collect.reports == {"localhost": {"in_place": True}}
    assert [f.task for f in collect.failures] == ["Boom"]
    assert collect.unreachable[0].host == "pc7"


def result(**kw):
    return model.RunResult(status="failed", rc=2, duration=1.0, artifacts=Path("/tmp/x"), **kw)


def test_an_explicit_fail_message_wins_over_the_error_it_rescued():
    failures = [
        model.Failure("localhost", "Pull", "One or more items failed."),
        model.Failure("localhost", "Explain", "Cannot pull x: no registry", explicit=True),
    ]
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(failures=failures), "up ex1")
    assert err.value.message == "up ex1 failed: Cannot pull x: no registry."
    assert err.value.exit_code == ExitCode.FAILED


def test_a_failure_in_the_host_role_means_host_not_ready():
    failures = [
        model.Failure("localhost", "Stop when a port is taken", "Port 8080 is in use", role="host", explicit=True)
    ]
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(failures=failures), "up ex2")
    assert err.value.exit_code == ExitCode.HOST_NOT_READY


def test_one_machine_and_a_room_get_the_same_verdict_for_a_refused_sudo():
    """One verdict (labctl.core.results.machine): a refused sudo is a machine not ready, alone or in a room."""
    refused = model.Failure("pc1", "Gathering Facts", "Task failed: Missing sudo password")
    run = result(failures=[refused], hosts=["pc1"])
    with pytest.raises(LabctlError) as err:
        raise_for_failures(run, "up ex1")
    assert err.value.exit_code == ExitCode.HOST_NOT_READY == model.machine(run, "pc1", "up").exit_code
    assert err.value.message == (
        "up ex1 failed on pc1: sudo refused to make the user root (Missing sudo password): "
        "give -K/--ask-become-pass for the password, or allow the user sudo without one."
    )


def test_an_unreachable_host_has_its_own_exit_code():
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(unreachable=[model.Failure("pc7", "Gather", "ssh: no route")]), "up ex1")
    assert err.value.exit_code == ExitCode.UNREACHABLE
    assert "pc7" in err.value.message


def test_a_message_given_as_data_reads_as_words_not_json():
    assert (
        events.failure_message({"msg": {"error": {"code": 7, "detail": "gone"}}}) == "error.code: 7; error.detail: gone"
    )
    assert events.failure_message({"msg": ["line one", "line two"]}) == "line one; line two"
    assert events.failure_message({"msg": "Failed", "stderr": '{"rc": 1}'}) == "Failed"


def test_the_event_handler_redacts_the_event_ansible_runner_then_writes():
    """ansible-runner 2.4 calls the handler with the event dict and writes that same dict afterwards."""
    env = ["MYSQL_ROOT_PASSWORD=hunter2-db", "TERM=xterm", "API_KEY=k-123"]
    ev = event(
        "runner_on_ok",
        task="Look at the containers",
        res={"containers": [{"Name": "database", "Config": {"Env": env, "CreateCommand": ["podman", "run", *env]}}]},
    )
    ev["stdout"] = 'ok: [localhost] => {"Env": ["MYSQL_ROOT_PASSWORD=hunter2-db"]}'
    ev["event_data"]["res"]["note"] = "the --var value s3cret-value shows up here"
    collect = events.EventCollector(None, secrets=["s3cret-value"])
    assert collect(ev) is True
    config = ev["event_data"]["res"]["containers"][0]["Config"]
    assert config["Env"] == ["MYSQL_ROOT_PASSWORD=********", "TERM=xterm", "API_KEY=********"]
    assert "hunter2-db" not in json.dumps(ev) and "k-123" not in json.dumps(ev) and "s3cret-value" not in json.dumps(ev)
    assert "MYSQL_ROOT_PASSWORD=********" in ev["stdout"]


def test_extravars_are_written_as_unsafe_yaml_that_keeps_their_types():
    text = extra.unsafe_yaml({"s": "a{{b", "n": 3, "f": 2.5, "b": True, "z": None, "d": {"l": ["x", 1]}})
    loaded = yaml.load(text, Loader=_UnsafeLoader)
    assert loaded == {"s": ("unsafe", "a{{b"), "n": 3, "f": 2.5, "b": True, "z": None, "d": {"l": [("unsafe", "x"), 1]}}


class _UnsafeLoader(yaml.SafeLoader):
    pass


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: ("unsafe", loader.construct_scalar(node)))


# --- real ansible-runner runs of tiny playbooks on localhost ----------------------------------------------


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Run folders and the run lock in tmp_path: never the machine's real lock."""
    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(lock, "lock_path", lambda: tmp_path / "run.lock")
    return tmp_path


def write_playbook(folder: Path, *tasks: dict) -> str:
    path = folder / "play.yml"
    path.write_text(yaml.safe_dump([{"hosts": "all", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False))
    return str(path)


def results(result: model.RunResult, task: str) -> list[dict]:
    """What a task returned, read back from the job events ansible-runner wrote."""
    found = []
    for path in result.artifacts.glob("artifacts/*/job_events/*.json"):
        ev = json.loads(path.read_text())
        if ev.get("event") == "runner_on_ok" and ev["event_data"].get("task") == task:
            found.append(ev["event_data"]["res"])
    return found


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_extravars_are_data_never_templates(isolated):
    pwned = isolated / "pwned"
    play = write_playbook(
        isolated,
        {"name": "Show x", "ansible.builtin.debug": {"msg": "{{ x }}"}},
        {"name": "Show d", "ansible.builtin.debug": {"var": "d"}},
        {"name": "Show pw", "ansible.builtin.debug": {"msg": "{{ pw }}"}},
    )
    injected = f"{{{{ lookup('pipe', 'id > {pwned}') }}}}"
    extravars = {"x": injected, "d": {"inner": [injected, 7, True]}, "pw": "pa{{ss w'o\"rd"}
    result = runner.run_playbook(play, extravars, label="test-unsafe")
    assert result.ok
    assert not pwned.exists()
    assert results(result, "Show x")[0]["msg"] == injected
    assert results(result, "Show d")[0]["d"] == {"inner": [injected, 7, True]}
    assert results(result, "Show pw")[0]["msg"] == "pa{{ss w'o\"rd"


def test_the_extravars_file_is_gone_once_ansible_has_read_it_and_the_folder_keeps_no_secrets(isolated):
    runs = isolated / "state" / "runs"
    play = write_playbook(
        isolated,
        {
            "name": "Look for the extra vars file",
            "ansible.builtin.find": {"paths": str(runs), "patterns": "extravars.yml", "recurse": True},
        },
        {
            "name": "Fake a container listing",
            "ansible.builtin.set_fact": {"info": {"Config": {"Env": ["MYSQL_ROOT_PASSWORD=t0p-secret", "TERM=x"]}}},
        },
        {"name": "Show it", "ansible.builtin.debug": {"var": "info"}},
        {"name": "Show the password", "ansible.builtin.debug": {"msg": "it is {{ ex2_root_password }}"}},
    )
    result = runner.run_playbook(play, {"ex2_root_password": "hunter2-xyz"}, label="test-secrets", verbosity=1)
    assert result.ok
    assert results(result, "Look for the extra vars file")[0]["matched"] == 0
    assert results(result, "Show it")[0]["info"]["Config"]["Env"] == ["MYSQL_ROOT_PASSWORD=********", "TERM=x"]
    assert not (result.artifacts / "env").exists() and not list(result.artifacts.glob("artifacts/*/command"))
    text = all_text(result.artifacts)
    assert "t0p-secret" not in text and "hunter2-xyz" not in text
    assert "MYSQL_ROOT_PASSWORD=********" in text  # verbosity 1: the results are in stdout too, redacted


def test_a_new_run_scrubs_the_folders_of_runs_that_were_killed(isolated):
    runs = isolated / "state" / "runs"
    dead = _dead_pid()
    killed = runs / f"20250101-100000-{dead}-up-ex2"
    (killed / "env").mkdir(parents=True)
    (killed / "env" / "extravars").write_text('{"ex2_pod_mysql_root_password": "hunter2-xyz"}')
    (killed / "extravars.yml").write_text("pw: hunter2-xyz")
    events = killed / "artifacts" / "abc" / "job_events"
    events.mkdir(parents=True)
    (events / "1-uuid-partial.json").write_text('{"res": {"Env": ["MYSQL_ROOT_PASSWORD=hunter2-xyz"]}}')
    (killed / "artifacts" / "abc" / "command").write_text('{"env": {"X": "hunter2-xyz"}}')
    (killed / "artifacts" / "abc" / "stdout").write_text('"Env": ["MYSQL_ROOT_PASSWORD=hunter2-xyz", "A=1"]\n')
    with subprocess.Popen(["sleep", "60"]) as live:
        running = runs / f"20250101-100001-{live.pid}-up-ex3"
        (running / "env").mkdir(parents=True)
        (running / "env" / "extravars").write_text("still in use")
        runner.run_playbook(write_playbook(isolated, {"ansible.builtin.debug": {"msg": "hi"}}), {}, label="t")
        live.kill()
    assert "hunter2-xyz" not in all_text(killed)
    assert '"MYSQL_ROOT_PASSWORD=********", "A=1"' in (killed / "artifacts" / "abc" / "stdout").read_text()
    assert (running / "env" / "extravars").exists()  # a run still going is left alone


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_playbook_ansible_cannot_load_is_one_sentence_without_json_or_traceback(isolated):
    play = isolated / "play.yml"
    play.write_text("- hosts: all\n  tasks:\n    - ansible.builtin.debug: msg=1\n      bogus_keyword: 3\n")
    with pytest.raises(LabctlError) as err:
        runner.run_playbook(str(play), {}, label="test-broken")
    message = err.value.message
    assert err.value.exit_code == ExitCode.HOST_NOT_READY
    assert "conflicting action statements" in message and "\n" not in message
    assert "Traceback" not in message and "{" not in message


def test_a_task_failure_with_a_data_message_reaches_the_user_as_words(isolated):
    play = write_playbook(isolated, {"name": "Give up", "ansible.builtin.fail": {"msg": {"why": "no disk", "rc": 28}}})
    result = runner.run_playbook(play, {}, label="test-fail")
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result, "up ex1")
    assert err.value.message == "up ex1 failed: why: no disk; rc: 28."


def test_an_inventory_and_a_limit_decide_the_hosts(isolated):
    inventory = isolated / "room.ini"
    python = sys.executable
    inventory.write_text(
        "\n".join(f"{h} ansible_connection=local ansible_python_interpreter={python}" for h in ("pc1", "pc2", "pc3"))
    )
    play = write_playbook(isolated, {"ansible.builtin.debug": {"msg": "hi"}})
    result = runner.run_playbook(play, {}, label="test-inv", inventory=str(inventory), limit="pc1:pc3")
    assert result.hosts == ["pc1", "pc3"] and sorted(result.stats) == ["pc1", "pc3"]


INTERRUPTED_SCRIPT = """
import sys
from pathlib import Path
from labctl.core import lock, runner
from labctl.core.errors import LabctlError
lock_file = Path(sys.argv[1])
lock.lock_path = lambda: lock_file
sys.argv = ["labctl", "up", "ex2"]
try:
    runner.run_playbook({play!r}, {{}}, label="up-ex2")
except LabctlError as exc:
    print(exc.message, file=sys.stderr)
    sys.exit(int(exc.exit_code))
"""


def _command_of(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_stops_ansible_and_its_workers_and_says_how_to_go_on(isolated, sig, code):
    play = write_playbook(isolated, {"name": "Wait", "ansible.builtin.command": "sleep 31.7"})
    script = isolated / "run.py"
    script.write_text(INTERRUPTED_SCRIPT.format(play=play))
    env = {**os.environ, "LABCTL_STATE_DIR": str(isolated / "state")}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(isolated / "run.lock")], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not any(_command_of(p) == b"sleep\x0031.7\x00" for p in lock.descendants(proc.pid)):
            assert time.monotonic() < deadline and proc.poll() is None, "the sleep task never started"
            time.sleep(0.1)
        tree = lock.descendants(proc.pid)
        assert any(b"ansible-playbook" in _command_of(p) for p in tree)
        proc.send_signal(sig)
        stderr = proc.communicate(timeout=30)[1]
    finally:
        proc.kill()
    assert proc.returncode == code
    assert stderr.strip().endswith(
        "up ex2 was stopped part-way; run `labctl up ex2` again to finish it, or `labctl clean ex2`."
    )
    assert [p for p in tree if lock.alive(p)] == []
    assert (isolated / "run.lock").read_text() == ""


def test_a_no_log_task_leaves_its_arguments_nowhere(isolated):
    play = write_playbook(
        isolated,
        {"name": "Use it", "ansible.builtin.command": "echo {{ plain }}", "no_log": True, "changed_when": False},
    )
    result = runner.run_playbook(play, {"plain": "zz-unique-4711"}, label="test-nolog", verbosity=1)
    assert result.ok
    assert "zz-unique-4711" not in all_text(result.artifacts)


# --- the room's options ------------------------------------------------------------------------------

BECOME_PROBE = """
import hashlib
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        given = self._play_context.become_pass or ""
        result.update(changed=False, digest=hashlib.sha256(given.encode()).hexdigest())
        return result
"""


def test_the_become_password_reaches_ansible_through_its_prompt_and_nowhere_else(isolated, monkeypatch):
    """-K: ansible-playbook asks, ansible-runner answers on its terminal. The password is never on
    ansible-playbook's command line, in its environment, in a file of the run folder, or in events."""
    import hashlib

    from labctl.core.config import Connection

    secret = "Bec0me-s3cret-{{x}}"
    (isolated / "action_plugins").mkdir()
    (isolated / "action_plugins" / "become_probe.py").write_text(BECOME_PROBE)
    play = write_playbook(isolated, {"name": "Probe", "become_probe": {}})
    seen: dict = {}
    real_run = runner.ansible_runner.run

    def spy(**kwargs):
        seen.update(kwargs)
        return real_run(**kwargs)

    monkeypatch.setattr(runner.ansible_runner, "run", spy)
    result = runner.run_playbook(
        play, {}, label="test-become", connection=Connection(become_password=secret, become=True, forks=7)
    )
    assert result.ok, result.failures
    assert results(result, "Probe")[0]["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert "--ask-become-pass" in seen["cmdline"] and "--become" in seen["cmdline"]
    assert secret not in seen["cmdline"] and secret not in json.dumps(seen["envvars"])
    assert seen["forks"] == 7 and seen["suppress_env_files"]
    assert secret not in all_text(result.artifacts)
    assert not (result.artifacts / "env" / "passwords").exists()


def test_ssh_runs_are_pipelined_and_keep_their_connection():
    env = environment.ansible_env()
    assert env["ANSIBLE_PIPELINING"] == "True"
    assert "ControlPersist=" in env["ANSIBLE_SSH_ARGS"] and "ControlMaster=auto" in env["ANSIBLE_SSH_ARGS"]


def test_the_command_line_carries_become_and_the_key_but_never_the_password(tmp_path):
    from labctl.core.config import Connection

    conn = Connection(become=True, become_password="pw-123456", private_key="/keys/room key")
    line = environment.cmdline(tmp_path / "extravars.yml", conn)
    assert "--become" in line and "--ask-become-pass" in line and "'/keys/room key'" in line
    assert "pw-123456" not in line
    assert environment.cmdline(tmp_path / "x.yml", Connection()) == f"-e @{tmp_path / 'x.yml'}"


def test_each_machine_reports_its_task_its_end_and_its_seconds():
    seen = []

    class Progress:
        def __call__(self, host, task):
            pass

        def host(self, host, state, detail):
            seen.append((host, state, detail))

    collector = events.EventCollector(Progress())
    collector({"event": "runner_on_start", "event_data": {"host": "pc1", "task": "Pull"}})
    collector({"event": "runner_on_start", "event_data": {"host": "pc2", "task": "Pull"}})
    collector({"event": "runner_on_unreachable", "event_data": {"host": "pc2", "res": {"msg": "no route"}}})
    collector({"event": "runner_on_ok", "event_data": {"host": "pc1", "task": "Pull", "res": {}}})
    collector.finish()
    assert seen[:3] == [("pc1", "task", "Pull"), ("pc2", "task", "Pull"), ("pc2", "unreachable", "no route")]
    assert ("pc1", "done", "") in seen
    assert set(collector.seconds()) == {"pc1", "pc2"}


def test_a_machine_that_cannot_be_reached_says_why_in_ssh_s_words():
    res = {
        "msg": 'Task failed: Data could not be sent to remote host "10.0.0.7". Make sure this host can be '
        "reached over ssh: ssh: connect to host 10.0.0.7 port 22: No route to host",
        "unreachable": True,
    }
    assert events.unreachable_message(res) == "SSH: connect to host 10.0.0.7 port 22: No route to host"
    looped = {"msg": "All items completed", "results": [{"unreachable": True, "msg": "Failed to connect: timeout"}]}
    assert events.unreachable_message(looped) == "Failed to connect: timeout"


def test_a_looped_task_that_failed_gives_its_failed_item_s_message():
    res = {
        "msg": "One or more items failed",
        "results": [{"failed": False}, {"failed": True, "msg": "podman: not found"}],
    }
    assert events.failure_message(res) == "podman: not found"


def test_ansible_runs_in_a_locale_every_machine_has_whatever_the_users_language(monkeypatch):
    """LANG=de_DE.UTF-8 where that locale is not installed stops Ansible ("could not initialize the
    preferred locale"); labctl speaks German through lab_lang, Ansible in C.UTF-8."""
    from labctl.core import environment

    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert environment.ansible_env()["LC_ALL"] == "C.UTF-8"
