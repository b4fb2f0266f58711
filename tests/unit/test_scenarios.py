"""The scenario model: shipped files are valid, and every kind of bad file is one clear error."""

from pathlib import Path

import pytest
import yaml

from labctl.core import scenarios
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.paths import content_dir

VALID = {
    "id": "demo",
    "title": "A demo",
    "course_ref": "Exercise 0",
    "role": "ex1_network_dns",
    "ports": {"host_port": 8080},
    "images": {"client_image": "docker.io/library/alpine:latest"},
    "resources": {"containers": {"client_name": "a"}},
}


def write(tmp_path: Path, data, name: str = "demo.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_a_valid_file_loads_into_the_model(tmp_path):
    scenario = scenarios.load_file(write(tmp_path, VALID))
    assert scenario.id == "demo"
    assert scenario.host_ports == [8080]
    assert scenario.names("containers") == ["a"]
    assert scenario.role_vars() == {
        "ex1_network_dns_host_port": 8080,
        "ex1_network_dns_client_image": "docker.io/library/alpine:latest",
        "ex1_network_dns_client_name": "a",
    }
    assert scenario.source == tmp_path / "demo.yml"


def test_an_unknown_key_names_file_and_key(tmp_path):
    path = write(tmp_path, {**VALID, "colour": "blue"})
    with pytest.raises(LabctlError) as err:
        scenarios.load_file(path)
    assert str(path) in err.value.message
    assert "unknown key 'colour'" in err.value.message
    assert err.value.exit_code == ExitCode.USAGE


def test_an_unknown_nested_key_names_its_path(tmp_path):
    path = write(tmp_path, {**VALID, "resources": {"containers": {"c": "a"}, "devices": {"s": "x"}}})
    with pytest.raises(LabctlError, match=r"unknown key 'resources\.devices'"):
        scenarios.load_file(path)


def test_a_wrong_type_names_the_key_and_the_value(tmp_path):
    path = write(tmp_path, {**VALID, "ports": {"host_port": "eighty"}})
    with pytest.raises(LabctlError) as err:
        scenarios.load_file(path)
    assert "key 'ports.host_port'" in err.value.message
    assert "'eighty'" in err.value.message


def test_a_port_out_of_range_is_refused(tmp_path):
    with pytest.raises(LabctlError, match=r"key 'ports\.host_port'"):
        scenarios.load_file(write(tmp_path, {**VALID, "ports": {"host_port": 70000}}))


@pytest.mark.parametrize(
    ("section", "value"),
    [
        ("images", {"i": "{{ lookup('pipe', 'id') }}"}),
        ("images", {"i": "alpine; rm -rf /"}),
        ("resources", {"pods": {"p": "{{ evil }}"}}),
        ("resources", {"containers": {"c": "-rf"}}),
        ("builds", {"b": {"tag": "localhost/x:1", "context": "../../etc"}}),
    ],
)
def test_names_images_and_contexts_are_checked_against_patterns(tmp_path, section, value):
    with pytest.raises(LabctlError, match=r"Scenario file .*: key"):
        scenarios.load_file(write(tmp_path, {**VALID, section: value}))


def test_one_key_names_one_role_variable(tmp_path):
    data = {**VALID, "resources": {"containers": {"client_image": "a"}}}
    with pytest.raises(LabctlError, match=r"key 'client_image' is in both images and resources\.containers"):
        scenarios.load_file(write(tmp_path, data))


def test_a_file_that_is_not_utf8_is_one_sentence(tmp_path):
    path = tmp_path / "demo.yml"
    path.write_bytes(b"id: demo\ntitle: \xff\xfe\n")
    with pytest.raises(LabctlError, match="is not UTF-8 text"):
        scenarios.load_file(path)


def test_a_missing_role_is_one_sentence(tmp_path):
    scenario = scenarios.load_file(write(tmp_path, {**VALID, "role": "no_such_role"}))
    with pytest.raises(LabctlError, match="names role 'no_such_role', which does not exist") as err:
        scenario.role_path()
    assert err.value.exit_code == ExitCode.USAGE


def test_a_missing_key_is_named(tmp_path):
    data = {k: v for k, v in VALID.items() if k != "role"}
    with pytest.raises(LabctlError, match="missing key 'role'"):
        scenarios.load_file(write(tmp_path, data))


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(LabctlError, match=r"not valid YAML at line \d+"):
        scenarios.load_file(write(tmp_path, "id: demo\ntitle: [unclosed\n"))


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(LabctlError, match="must hold a mapping"):
        scenarios.load_file(write(tmp_path, "- just\n- a list\n"))


def test_the_id_must_match_the_file_name(tmp_path):
    with pytest.raises(LabctlError, match=r"key 'id' is 'demo' but the file is named 'other\.yml'"):
        scenarios.load_file(write(tmp_path, VALID, name="other.yml"))


def test_an_unknown_scenario_names_the_known_ones():
    with pytest.raises(LabctlError) as err:
        scenarios.load("ex9")
    assert "Unknown scenario 'ex9'" in err.value.message
    assert "ex1" in err.value.message
    assert err.value.exit_code == ExitCode.USAGE


def test_extra_scenario_folders_are_searched_after_the_shipped_ones(tmp_path, monkeypatch):
    write(tmp_path, VALID)
    write(tmp_path, {**VALID, "id": "ex1", "title": "impostor"}, name="ex1.yml")
    monkeypatch.setenv(scenarios.SCENARIO_PATH_ENV, str(tmp_path))
    assert scenarios.load("demo").title == "A demo"
    assert scenarios.load("ex1").title != "impostor"


def test_scenarios_are_listed_in_natural_order(tmp_path, monkeypatch):
    for n in (10, 2):
        write(tmp_path, {**VALID, "id": f"ex{n}"}, name=f"ex{n}.yml")
    monkeypatch.setenv(scenarios.SCENARIO_PATH_ENV, str(tmp_path))
    ids = [s.id for s in scenarios.load_all()]
    assert ids.index("ex1") < ids.index("ex2") < ids.index("ex10")


SHIPPED = sorted((content_dir() / "scenarios").glob("*.yml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_is_valid_and_its_role_has_the_entry_points_up_and_verify(path):
    """tasks_from: up and tasks_from: verify, each with its argument spec; main (the role included
    plainly) sets the exercise up. No entry point is steered by a variable. Any other task file is a
    part of up, included by up.yml by its own name."""
    scenario = scenarios.load_file(path)
    role = scenario.role_path()
    tasks = sorted(p.name for p in (role / "tasks").glob("*.yml"))
    assert {"main.yml", "up.yml", "verify.yml"} <= set(tasks)
    up = (role / "tasks" / "up.yml").read_text()
    for part in set(tasks) - {"main.yml", "up.yml", "verify.yml"}:
        assert f"include_tasks: {part}" in up, f"{part} is neither an entry point nor a part of up.yml"
    assert "{{" not in "".join(line for line in up.splitlines() if "include_tasks:" in line)
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    assert sorted(specs) == ["main", "up", "verify"]
    assert specs["main"]["options"] == specs["up"]["options"]
    assert set(specs["up"]["options"]) <= set(specs["verify"]["options"])
    assert not any("lab_action" in spec["options"] for spec in specs.values())
    assert "up.yml" in (role / "tasks" / "main.yml").read_text()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_scenario_file_is_the_one_source_of_names_ports_and_images(path):
    """Every variable the file sets is declared by the role (required, no default), and the role's
    defaults name no resource, port or image of their own."""
    scenario = scenarios.load_file(path)
    options = scenario.role_options()
    for name in scenario.role_vars():
        assert options.get(name, {}).get("required") is True, f"{name} is not a required option of {scenario.role}"
        assert "default" not in options[name]
    defaults = yaml.safe_load((scenario.role_path() / "defaults" / "main.yml").read_text()) or {}
    values = {str(v) for v in defaults.values()}
    assert not values & {str(v) for v in scenario.role_vars().values()}
    assert not [k for k in defaults if k.endswith(("_image", "_name", "_pod", "_network", "_volume", "_host_port"))]


def test_one_bad_extra_file_is_left_out_with_its_error_when_asked(tmp_path, monkeypatch):
    write(tmp_path, VALID)
    write(tmp_path, "id: broken\ntitle: [unclosed\n", name="broken.yml")
    monkeypatch.setenv(scenarios.SCENARIO_PATH_ENV, str(tmp_path))
    problems: list[str] = []
    ids = [s.id for s in scenarios.load_all(problems)]
    assert "demo" in ids and "broken" not in ids and "ex1" in ids
    assert len(problems) == 1 and "broken.yml is not valid YAML" in problems[0]
    with pytest.raises(LabctlError, match=r"broken\.yml"):
        scenarios.load_all()
