"""-i and --limit, checked before a run with labctl's own ansible-inventory, on real inventory files."""

import pytest

from labctl.core import environment, inventory
from labctl.core.errors import ExitCode, LabctlError

ENV = environment.ansible_env()


def resolve(source, limit=None):
    return inventory.resolve(source, limit, ENV)


def usage_error(source, limit=None) -> str:
    with pytest.raises(LabctlError) as err:
        resolve(source, limit)
    assert err.value.exit_code == ExitCode.USAGE
    assert "\n" not in err.value.message and "Traceback" not in err.value.message
    return err.value.message


@pytest.fixture
def room(tmp_path):
    path = tmp_path / "room.ini"
    path.write_text("[pcs]\na\nb\nc ansible_host=10.0.0.3\n")
    return path


def test_no_inventory_is_this_machine_without_asking_ansible():
    found = resolve(None)
    assert found.hosts == ["localhost"]
    assert found.source["all"]["hosts"]["localhost"]["ansible_connection"] == "local"


def test_an_ini_file_gives_its_hosts_and_an_absolute_path(room):
    found = resolve(str(room))
    assert found == inventory.Inventory(str(room), ["a", "b", "c"])


def test_a_relative_path_is_made_absolute(room, monkeypatch):
    monkeypatch.chdir(room.parent)
    assert resolve("room.ini").source == str(room)


def test_a_yaml_file_and_a_directory_of_inventories(tmp_path, room):
    yml = tmp_path / "lab.yml"
    yml.write_text("all:\n  children:\n    pcs:\n      hosts:\n        pc1:\n        pc2:\n")
    assert resolve(str(yml)).hosts == ["pc1", "pc2"]
    folder = tmp_path / "classroom"
    (folder / "group_vars").mkdir(parents=True)
    (folder / "group_vars" / "all.yml").write_text("course: podman\n")
    (folder / "10-room.ini").write_text(room.read_text())
    (folder / "20-lab.yml").write_text(yml.read_text())
    assert sorted(resolve(str(folder)).hosts) == ["a", "b", "c", "pc1", "pc2"]


def test_a_missing_file_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert usage_error("classroom.ini") == "Inventory file classroom.ini does not exist."


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("broken.ini", "[pcs\nfoo = = bar\n", "Failed to parse inventory"),
        ("broken.yml", "all:\n  hosts:\n    d: [\n", "YAML parsing failed"),
    ],
)
def test_an_unparsable_inventory_is_one_sentence(tmp_path, monkeypatch, name, text, reason):
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    message = usage_error(name)
    assert message.startswith(f"Inventory {name} cannot be read: ")
    assert reason in message
    assert message.endswith(f"check it with `ansible-inventory -i {name} --list`.")


def test_a_limit_selects_hosts(room):
    assert resolve(str(room), "a:c").hosts == ["a", "c"]
    assert resolve(str(room), "pcs").hosts == ["a", "b", "c"]


def test_a_limit_that_matches_nothing_names_the_hosts(room, monkeypatch):
    monkeypatch.chdir(room.parent)
    assert usage_error("room.ini", "nomatch") == "--limit nomatch matches no host of room.ini; hosts are: a, b, c."


def test_a_limit_without_an_inventory_is_checked_against_this_machine():
    assert resolve(None, "localhost").hosts == ["localhost"]
    assert usage_error(None, "pc7") == "--limit pc7 matches no host of this machine's inventory; hosts are: localhost."


def test_an_inventory_without_hosts_says_so(tmp_path):
    (tmp_path / "empty.ini").write_text("[pcs]\n")
    assert "has no hosts" in usage_error(str(tmp_path / "empty.ini"))
