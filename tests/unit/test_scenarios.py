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
    "ports": [8080],
    "images": ["docker.io/library/alpine:latest"],
    "resources": {"containers": ["a"]},
}


def write(tmp_path: Path, data, name: str = "demo.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_a_valid_file_loads_into_the_model(tmp_path):
    scenario = scenarios.load_file(write(tmp_path, VALID))
    assert scenario.id == "demo"
    assert scenario.ports == [8080]
    assert scenario.resources.containers == ["a"]
    assert scenario.source == tmp_path / "demo.yml"


def test_an_unknown_key_names_file_and_key(tmp_path):
    path = write(tmp_path, {**VALID, "colour": "blue"})
    with pytest.raises(LabctlError) as err:
        scenarios.load_file(path)
    assert str(path) in err.value.message
    assert "unknown key 'colour'" in err.value.message
    assert err.value.exit_code == ExitCode.USAGE


def test_an_unknown_nested_key_names_its_path(tmp_path):
    path = write(tmp_path, {**VALID, "resources": {"containers": ["a"], "secrets": ["x"]}})
    with pytest.raises(LabctlError, match=r"unknown key 'resources\.secrets'"):
        scenarios.load_file(path)


def test_a_wrong_type_names_the_key_and_the_value(tmp_path):
    path = write(tmp_path, {**VALID, "ports": ["eighty"]})
    with pytest.raises(LabctlError) as err:
        scenarios.load_file(path)
    assert "key 'ports.0'" in err.value.message
    assert "'eighty'" in err.value.message


def test_a_port_out_of_range_is_refused(tmp_path):
    with pytest.raises(LabctlError, match=r"key 'ports\.0'"):
        scenarios.load_file(write(tmp_path, {**VALID, "ports": [70000]}))


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


@pytest.mark.parametrize("path", sorted((content_dir() / "scenarios").glob("*.yml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_is_valid_and_has_its_role(path):
    scenario = scenarios.load_file(path)
    role = content_dir() / "roles" / scenario.role
    for entry in ("up", "verify", "clean", "reset"):
        assert (role / "tasks" / f"{entry}.yml").is_file(), f"{scenario.role} lacks tasks/{entry}.yml"


@pytest.mark.parametrize("path", sorted((content_dir() / "scenarios").glob("*.yml")), ids=lambda p: p.stem)
def test_the_scenario_lists_every_image_its_role_uses(path):
    """One source of truth: images in role defaults must appear in the scenario file."""
    scenario = scenarios.load_file(path)
    defaults = yaml.safe_load((content_dir() / "roles" / scenario.role / "defaults" / "main.yml").read_text())
    role_images = {v for k, v in defaults.items() if k.endswith("_image") and isinstance(v, str)}
    assert role_images <= set(scenario.images) | {b.tag for b in scenario.builds}
