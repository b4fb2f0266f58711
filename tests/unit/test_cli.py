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
