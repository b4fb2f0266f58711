"""A run on several machines, per machine: outcome, exit code precedence, matrix, CSV, retry record."""

import csv

import pytest

from labctl.core import results, room
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.results import Check, Failure, HostStats, RunResult


def run(hosts, checks=(), failures=(), unreachable=(), changed=None):
    return RunResult(
        status="failed" if failures or unreachable else "successful",
        rc=0,
        duration=12.0,
        artifacts=None,
        stats={h: HostStats(ok=3, changed=(changed or {}).get(h, 0)) for h in hosts},
        failures=list(failures),
        unreachable=list(unreachable),
        checks=list(checks),
        hosts=list(hosts),
        seconds={h: 10.0 + i for i, h in enumerate(hosts)},
    )


def check(host, cid, status, **kw):
    return Check(host=host, name=f"{cid} on {host}:8080", status=status, id=cid, **kw)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([0, 0], 0),
        ([0, 5], 5),
        ([5, 1], 1),
        ([1, 3, 5], 3),
        ([1, 3, 4, 5], 4),
        ([0, 2], 2),
        ([], 0),
    ],
)
def test_the_exit_code_is_the_first_that_applies_of_4_3_1_5(codes, expected):
    assert results.worst(codes) == expected


def test_each_machine_has_its_result_counts_seconds_and_reason():
    result = run(
        ["pc1", "pc2", "pc3", "pc4"],
        checks=[
            check("pc1", "pod-running", "PASS"),
            check("pc1", "app-answers", "PASS"),
            check("pc2", "pod-running", "FAIL", found="no pod"),
            check("pc2", "app-answers", "SKIP", found="no app"),
            check("pc4", "pod-running", "PASS"),
            check("pc4", "app-answers", "NOT_ENFORCED"),
        ],
        unreachable=[Failure("pc3", "Look", "Task failed: Failed to connect to the host via ssh: timed out")],
    )
    found = {m.host: m for m in results.machines(result, "verify")}
    assert (found["pc1"].result, found["pc1"].exit_code, found["pc1"].passed) == ("ok", 0, 2)
    assert (found["pc2"].result, found["pc2"].failed, found["pc2"].skipped) == ("failed", 2, 1)
    assert found["pc2"].reason == "2 check(s) did not pass: pod-running; app-answers."
    assert found["pc3"].result == "unreachable" and found["pc3"].exit_code == 4
    assert found["pc3"].reason == "cannot reach it: Failed to connect to the host via ssh: timed out."
    assert found["pc4"].result == "not enforced" and found["pc4"].exit_code == 5
    assert found["pc2"].seconds == 11.0
    assert results.worst(m.exit_code for m in found.values()) == ExitCode.UNREACHABLE
    assert results.summary(list(found.values()), "verify ex2").startswith(
        "verify ex2: 4 machine(s): 1 ok, 1 failed, 1 unreachable, 1 not enforced"
    )


def test_a_failed_task_gives_its_reason_and_a_host_role_failure_means_not_ready():
    result = run(
        ["pc1", "pc2"],
        failures=[
            Failure("pc1", "Check the ports", "Port 8080 is used by nginx (PID 7)", role="host", explicit=True),
            Failure("pc2", "Pull mysql", "manifest unknown"),
        ],
    )
    found = {m.host: m for m in results.machines(result, "up")}
    assert found["pc1"].exit_code == ExitCode.HOST_NOT_READY and found["pc1"].result == "not ready"
    assert found["pc1"].reason == "Port 8080 is used by nginx (PID 7)."
    assert found["pc2"].exit_code == ExitCode.FAILED and found["pc2"].reason == "'Pull mysql' failed: manifest unknown."


def test_a_verify_that_ran_no_check_on_a_machine_failed_there():
    found = results.machines(run(["pc1"]), "verify")
    assert found[0].exit_code == ExitCode.FAILED and "no check" in found[0].reason


def test_the_matrix_lines_up_columns_by_check_id_across_machines():
    result = run(
        ["pc1", "pc2", "pc3"],
        checks=[
            check("pc1", "pod-running", "PASS"),
            check("pc1", "app-answers", "PASS"),
            check("pc2", "app-answers", "FAIL"),
            check("pc2", "pod-running", "PASS"),
        ],
        unreachable=[Failure("pc3", "t", "down")],
    )
    columns, rows = room.matrix(results.machines(result, "verify"))
    assert columns == ["pod-running", "app-answers"]
    assert [host for host, _ in rows] == ["pc1", "pc2", "pc3"]
    assert rows[1][1]["app-answers"].status == "FAIL" and rows[2][1] == {}


def test_the_csv_has_a_row_per_machine_and_check_and_one_for_a_machine_that_ran_none(tmp_path):
    result = run(
        ["pc1", "pc2"],
        checks=[
            check("pc1", "pod-running", "PASS", found="Running"),
            check("pc1", "app-answers", "FAIL", expected="Hello", found="nothing", hint="start webapp"),
        ],
        unreachable=[Failure("pc2", "t", "no route to host")],
    )
    path = room.write_csv(tmp_path / "grades.csv", results.machines(result, "verify"))
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["machine", "check", "status", "message"],
        ["pc1", "pod-running", "PASS", "Running"],
        ["pc1", "app-answers", "FAIL", "expected Hello; found nothing; hint: start webapp"],
        ["pc2", "", "UNREACHABLE", "cannot reach it: no route to host."],
    ]


def test_a_csv_that_cannot_be_written_is_one_sentence(tmp_path):
    with pytest.raises(LabctlError, match="Cannot write"):
        room.write_csv(tmp_path / "missing" / "x.csv", [])


def test_retry_records_the_machines_that_failed_or_dropped_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    inventory = str(tmp_path / "room.ini")
    with pytest.raises(LabctlError, match="no record of a `labctl up ex2`") as caught:
        room.to_retry("up", "ex2", inventory)
    assert caught.value.exit_code == ExitCode.USAGE
    result = run(
        ["pc1", "pc2", "pc3", "pc4"],
        checks=[check("pc4", "limits", "NOT_ENFORCED")],
        failures=[Failure("pc1", "t", "boom")],
        unreachable=[Failure("pc3", "t", "down")],
    )
    room.record("up", "ex2", inventory, results.machines(result, "up"))
    assert room.to_retry("up", "ex2", inventory) == ["pc1", "pc3"]
    # Another verb, scenario or inventory has its own record.
    with pytest.raises(LabctlError):
        room.to_retry("verify", "ex2", inventory)
    with pytest.raises(LabctlError):
        room.to_retry("up", "ex2", str(tmp_path / "other.ini"))
    room.record("up", "ex2", inventory, results.machines(run(["pc1", "pc3"]), "up"))
    assert room.to_retry("up", "ex2", inventory) == []


def test_retry_needs_an_inventory():
    with pytest.raises(LabctlError, match="needs the inventory"):
        room.to_retry("up", "ex2", None)


def test_a_machine_where_sudo_is_refused_is_not_ready_with_what_to_do():
    result = run(["pc1"], failures=[Failure("pc1", "Wait", "Task failed: Missing sudo password")])
    found = results.machines(result, "up")[0]
    assert found.exit_code == ExitCode.HOST_NOT_READY and found.result == "not ready"
    assert found.reason.startswith("sudo refused to make the user root (Missing sudo password): give -K")
