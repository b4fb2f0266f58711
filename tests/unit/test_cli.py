"""The CLI as a user meets it, without Podman: listings, bad input, exit codes, no tracebacks."""

import json
from pathlib import Path

import yaml

from tests.conftest import run_labctl


def test_list_shows_each_scenario_with_its_title():
    result = run_labctl("list")
    assert result.rc == 0, result.stderr
    assert "ex1" in result.stdout
    assert "Container communication via a custom network" in result.stdout


def test_list_json_is_machine_readable():
    result = run_labctl("list", "--json")
    assert result.rc == 0, result.stderr
    ex1 = next(s for s in json.loads(result.stdout) if s["id"] == "ex1")
    assert ex1["ports"] == []
    assert "docker.io/library/nginx:alpine" in ex1["images"]


def test_an_unknown_scenario_is_one_sentence_naming_the_known_ones():
    result = run_labctl("up", "ex9")
    assert result.rc == 2
    assert result.stdout == ""
    assert "Unknown scenario 'ex9'; known scenarios: ex1" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_scenario_file_with_an_unknown_key_names_file_and_key(tmp_path):
    data = yaml.safe_load(Path("scenarios/ex1.yml").read_text())
    data.update(id="broken", extra_thing=1)
    (tmp_path / "broken.yml").write_text(yaml.safe_dump(data))
    result = run_labctl("verify", "broken", env={"LABCTL_SCENARIO_PATH": str(tmp_path)})
    assert result.rc == 2
    assert f"{tmp_path / 'broken.yml'}" in result.stderr
    assert "unknown key 'extra_thing'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_argument_is_a_usage_error():
    result = run_labctl("up")
    assert result.rc == 2
    assert "Traceback" not in result.stderr


def test_version():
    result = run_labctl("--version")
    assert result.rc == 0
    assert result.stdout.startswith("labctl ")


def test_a_var_value_can_come_from_a_file_so_it_never_reaches_argv(tmp_path):
    from labctl.cli.options import parse_vars
    from labctl.core import scenarios

    secret = tmp_path / "pw"
    secret.write_text("Pa{{ss}}\n")
    values = parse_vars(
        scenarios.load("ex2"), [f"ex2_pod_mysql_root_password=@{secret}", "ex2_pod_mysql_app_port=5001"]
    )
    assert values == {"ex2_pod_mysql_root_password": "Pa{{ss}}", "ex2_pod_mysql_app_port": 5001}


def test_an_unreadable_var_file_is_a_usage_error(tmp_path):
    import pytest

    from labctl.cli.options import parse_vars
    from labctl.core import scenarios
    from labctl.core.errors import ExitCode, LabctlError

    with pytest.raises(LabctlError, match="cannot read") as err:
        parse_vars(scenarios.load("ex2"), [f"ex2_pod_mysql_root_password=@{tmp_path / 'missing'}"])
    assert err.value.exit_code == ExitCode.USAGE


# --- a room of machines, with Ansible's results faked ------------------------------------------------


def room_result(hosts, checks=(), unreachable=()):
    from labctl.core.results import Check, Failure, HostStats, RunResult

    return RunResult(
        status="successful" if not unreachable else "failed",
        rc=0,
        duration=9.0,
        artifacts=Path("/tmp"),
        stats={h: HostStats(ok=4, changed=1) for h in hosts},
        checks=[Check(host=h, name=f"{i} on :8080", status=s, id=i) for h, i, s in checks],
        unreachable=[Failure(h, "Look", "Failed to connect to the host via ssh") for h in unreachable],
        hosts=list(hosts),
        seconds={h: 8.5 for h in hosts},
    )


def invoke(monkeypatch, tmp_path, args, results):
    """labctl in this process, each Ansible run answered by the next of `results` (an exception is raised)."""
    from typer.testing import CliRunner

    from labctl.cli.app import app
    from labctl.core import actions
    from labctl.core.errors import LabctlError

    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    calls = []
    pending = list(results)

    def fake(scenario, action, **kwargs):
        calls.append((scenario.id, action, kwargs["connection"]))
        answer = pending.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(actions, "run_scenario_action", fake)
    inventory = tmp_path / "room.ini"
    inventory.write_text("pc1\npc2\npc3\n")
    args = [a.replace("ROOM", str(inventory)) for a in args]
    from labctl.core import report

    # The consoles are made once per process: under xdist another test may have made them narrow.
    monkeypatch.setattr(report.out, "width", 200)
    outcome = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    if isinstance(outcome.exception, LabctlError):  # what labctl's main() turns into one sentence
        outcome.exit_code = int(outcome.exception.exit_code)
    return outcome, calls


def test_verify_on_a_room_prints_the_matrix_the_table_and_one_line_and_writes_the_csv(monkeypatch, tmp_path):
    checks = [
        ("pc1", "pod-running", "PASS"),
        ("pc1", "app-answers", "PASS"),
        ("pc2", "pod-running", "PASS"),
        ("pc2", "app-answers", "FAIL"),
    ]
    grades = tmp_path / "grades.csv"
    outcome, calls = invoke(
        monkeypatch,
        tmp_path,
        ["verify", "ex2", "-i", "ROOM", "--csv", str(grades)],
        [room_result(["pc1", "pc2", "pc3"], checks, unreachable=["pc3"])],
    )
    assert outcome.exit_code == 4, outcome.output
    lines = outcome.stdout.splitlines()
    assert lines[0].split() == ["machine", "pod-running", "app-answers"]
    assert lines[1].split() == ["pc1", "✓", "✓"] and lines[2].split() == ["pc2", "✓", "✗"]
    assert "verify ex2: 3 machine(s): 1 ok, 1 failed, 1 unreachable" in outcome.stdout
    assert "cannot reach it" in outcome.stdout
    assert grades.read_text().splitlines()[0] == "student,machine,exercise,check,status,text"
    assert calls[0][2].forks == 30


def test_verify_json_on_a_room_carries_each_machine(monkeypatch, tmp_path):
    checks = [("pc1", "pod-running", "PASS"), ("pc2", "pod-running", "FAIL")]
    outcome, _ = invoke(
        monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM", "--json"], [room_result(["pc1", "pc2"], checks)]
    )
    data = json.loads(outcome.stdout)
    assert outcome.exit_code == 1 and data["exit_code"] == 1
    assert data["machines"]["pc2"]["result"] == "failed"
    assert data["machines"]["pc1"]["checks"][0]["id"] == "pod-running"


def test_all_runs_every_scenario_in_order_and_clean_in_reverse(monkeypatch, tmp_path):
    from labctl.core import scenarios

    ids = [s.id for s in scenarios.load_all([])]
    outcome, calls = invoke(
        monkeypatch, tmp_path, ["clean", "--all", "-i", "ROOM"], [room_result(["pc1", "pc2"]) for _ in ids]
    )
    assert outcome.exit_code == 0, outcome.output
    assert [c[0] for c in calls] == list(reversed(ids))
    assert "clean --all:" in outcome.stdout


def test_all_goes_on_after_a_failed_scenario_and_exits_with_the_worst(monkeypatch, tmp_path):
    from labctl.core import scenarios
    from labctl.core.errors import LabctlError

    ids = [s.id for s in scenarios.load_all([])]
    answers = [room_result(["pc1", "pc2"]) for _ in ids]
    answers[0] = LabctlError("Ansible could not run scenario.yml: boom.", 3)
    answers[1] = room_result(["pc1", "pc2"], unreachable=["pc2"])
    outcome, calls = invoke(monkeypatch, tmp_path, ["up", "--all", "-i", "ROOM"], answers)
    assert len(calls) == len(ids)
    assert outcome.exit_code == 4
    assert f"{ids[0]} exit 3" in outcome.stdout and f"{ids[1]} exit 4" in outcome.stdout


def test_retry_failed_reruns_only_the_machines_that_failed_last_time(monkeypatch, tmp_path):
    outcome, _ = invoke(monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM", "--retry-failed"], [])
    assert outcome.exit_code == 2 and "no record" in str(outcome.exception)
    outcome, _ = invoke(
        monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM"], [room_result(["pc1", "pc2"], unreachable=["pc2"])]
    )
    assert outcome.exit_code == 4
    outcome, calls = invoke(
        monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM", "--retry-failed"], [room_result(["pc2"])]
    )
    assert outcome.exit_code == 0, outcome.output
    assert calls[0][2].limit == "pc2"
    outcome, calls = invoke(monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM", "--retry-failed"], [])
    assert outcome.exit_code == 0 and "Nothing to retry" in outcome.stdout and not calls


def test_the_config_file_gives_the_inventory_and_become(monkeypatch, tmp_path):
    (tmp_path / "config" / "labctl").mkdir(parents=True)
    (tmp_path / "config" / "labctl" / "config.toml").write_text("become = true\nforks = 12\n")
    outcome, calls = invoke(monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM", "-f", "3"], [room_result(["pc1"])])
    assert outcome.exit_code == 0, outcome.output
    assert calls[0][2].become and calls[0][2].forks == 3


def test_scenario_or_all_but_not_both_nor_neither():
    assert "not both" in run_labctl("verify", "ex1", "--all").stderr
    neither = run_labctl("reset")
    assert neither.rc == 2 and "Which scenario?" in neither.stderr


def test_all_with_json_is_one_list_of_every_scenarios_result(monkeypatch, tmp_path):
    from labctl.core import scenarios

    ids = [s.id for s in scenarios.load_all([])]
    answers = [room_result(["pc1", "pc2"], [("pc1", "x-ok", "PASS"), ("pc2", "x-ok", "PASS")]) for _ in ids]
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "--all", "-i", "ROOM", "--json"], answers)
    data = json.loads(outcome.stdout)
    assert outcome.exit_code == 0, outcome.output
    assert [d["scenario"] for d in data] == ids and all(d["exit_code"] == 0 for d in data)


def test_quiet_shows_the_results_alone_and_still_the_errors(monkeypatch, tmp_path):
    """--quiet, a shared option declared once (labctl.cli.options.SHARED): every verb has it; the room's
    table stays, its summary line, the legend and the --all line go; an error still shows."""
    from labctl.cli.options import SHARED
    from labctl.core import report
    from labctl.core.errors import LabctlError

    assert [name for name, *_ in SHARED].count("quiet") == 1
    checks = [("pc1", "pod-running", "PASS"), ("pc2", "pod-running", "FAIL")]
    loud, _ = invoke(monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM"], [room_result(["pc1", "pc2"], checks)])
    quiet, _ = invoke(
        monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM", "-q"], [room_result(["pc1", "pc2"], checks)]
    )
    assert loud.exit_code == quiet.exit_code == 1
    assert "verify ex2: 2 machine(s)" in loud.stdout and "pass" in loud.stdout
    assert "verify ex2: 2 machine(s)" not in quiet.stdout and "pass  " not in quiet.stdout
    assert quiet.stdout.splitlines()[1].split() == ["pc1", "✓"]  # the matrix and the table stay
    try:
        failing, _ = invoke(
            monkeypatch, tmp_path, ["up", "ex2", "-i", "ROOM", "--quiet"], [LabctlError("Cannot reach pc1.", 4)]
        )
        assert failing.exit_code == 4 and isinstance(failing.exception, LabctlError)
    finally:
        report.configure(quiet=False)
    for verb in (["up"], ["verify"], ["status"], ["list"], ["host", "check"], ["images", "save"], ["watch"]):
        assert "--quiet" in invoke(monkeypatch, tmp_path, [*verb, "--help"], [])[0].stdout, verb
