"""Turning ansible-runner events into results: pure logic, fed with events shaped like the real ones."""

import pytest

from labctl.core import runner
from labctl.core.actions import raise_for_failures
from labctl.core.errors import ExitCode, LabctlError


def event(kind, task="t", host="localhost", res=None, **data):
    return {"event": kind, "event_data": {"host": host, "task": task, "res": res or {}, **data}}


def test_failure_message_prefers_the_last_stderr_line_over_a_bare_rc_message():
    res = {"msg": "non-zero return code", "stderr": "Trying…\nError: network not found"}
    assert runner._failure_message(res) == "Error: network not found"


def test_failure_message_keeps_a_written_message_and_adds_stderr_context():
    res = {"msg": "Failed to pull image x", "stderr": "Error: no such host"}
    assert runner._failure_message(res) == "Failed to pull image x (Error: no such host)"


def test_failure_message_uses_only_the_first_line_of_a_long_message():
    assert runner._failure_message({"msg": "first line\nsecond line"}) == "first line"


def test_stats_are_read_per_host():
    stats = runner._stats({"ok": {"a": 3}, "changed": {"a": 1}, "failures": {"b": 2}, "dark": {}, "skipped": {}})
    assert stats["a"].ok == 3 and stats["a"].changed == 1
    assert stats["b"].failed == 2


def test_collector_gathers_checks_changes_failures_and_reports():
    seen = []
    collect = runner._EventCollector(lambda host, task: seen.append(task))
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
    assert collect.checks == [runner.Check("localhost", "net", "FAIL", "e", "f", "h")]
    assert collect.reports == {"localhost": {"in_place": True}}
    assert [f.task for f in collect.failures] == ["Boom"]
    assert collect.unreachable[0].host == "pc7"


def result(**kw):
    return runner.RunResult(status="failed", rc=2, duration=1.0, artifacts=runner.Path("/tmp/x"), **kw)


def test_an_explicit_fail_message_wins_over_the_error_it_rescued():
    failures = [
        runner.Failure("localhost", "Pull", "One or more items failed."),
        runner.Failure("localhost", "Explain", "Cannot pull x: no registry", explicit=True),
    ]
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(failures=failures), "up ex1")
    assert err.value.message == "up ex1 failed: Cannot pull x: no registry."
    assert err.value.exit_code == ExitCode.FAILED


def test_a_failure_in_the_host_role_means_host_not_ready():
    failures = [
        runner.Failure("localhost", "Stop when a port is taken", "Port 8080 is in use", role="host", explicit=True)
    ]
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(failures=failures), "up ex2")
    assert err.value.exit_code == ExitCode.HOST_NOT_READY


def test_an_unreachable_host_has_its_own_exit_code():
    with pytest.raises(LabctlError) as err:
        raise_for_failures(result(unreachable=[runner.Failure("pc7", "Gather", "ssh: no route")]), "up ex1")
    assert err.value.exit_code == ExitCode.UNREACHABLE
    assert "pc7" in err.value.message
