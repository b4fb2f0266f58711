"""Where labctl's room defaults come from: flag > LABCTL_* > user config > system config."""

import pytest

from labctl.core import config
from labctl.core.errors import ExitCode, LabctlError


def write(path, text):
    path.write_text(text)
    return path


def test_precedence_flag_over_env_over_user_over_system(tmp_path):
    system = write(tmp_path / "system.toml", 'inventory = "/sys.ini"\nforks = 10\nbecome = true\n')
    user = write(tmp_path / "user.toml", 'inventory = "/user.ini"\nforks = 20\n')
    files = (system, user)
    env = {"LABCTL_FORKS": "25"}
    conn = config.connection(env=env, files=files)
    assert (conn.inventory, conn.forks, conn.become) == ("/user.ini", 25, True)
    conn = config.connection(inventory="/flag.ini", forks=5, become=False, env=env, files=files)
    assert (conn.inventory, conn.forks, conn.become) == ("/flag.ini", 5, False)


def test_nothing_set_is_this_machine_with_forks_for_a_room_of_30(tmp_path):
    conn = config.connection(env={}, files=(tmp_path / "none.toml",))
    assert conn.inventory is None and not conn.become and conn.forks == 30 and not conn.remote


def test_an_environment_variable_is_typed(tmp_path):
    conn = config.connection(env={"LABCTL_BECOME": "yes", "LABCTL_INVENTORY": "r.ini"}, files=())
    assert conn.become is True and conn.inventory == "r.ini" and conn.remote
    with pytest.raises(LabctlError, match="LABCTL_FORKS") as caught:
        config.connection(env={"LABCTL_FORKS": "many"}, files=())
    assert caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("inventroy = 'x'\n", "unknown key"),
        ("forks = 0\n", "whole number"),
        ("become = 'maybe'\n", "true or false"),
        ("forks = \n", "cannot be read"),
    ],
)
def test_a_bad_config_file_is_one_sentence_and_exit_2(tmp_path, text, words):
    bad = write(tmp_path / "config.toml", text)
    with pytest.raises(LabctlError, match=words) as caught:
        config.connection(env={}, files=(bad,))
    assert caught.value.exit_code == ExitCode.USAGE and str(bad) in caught.value.message


def test_a_private_key_must_exist_and_is_made_absolute(tmp_path, monkeypatch):
    with pytest.raises(LabctlError, match="does not exist"):
        config.connection(private_key=str(tmp_path / "nokey"), env={}, files=())
    key = write(tmp_path / "id_room", "key")
    monkeypatch.chdir(tmp_path)
    assert config.connection(private_key="id_room", env={}, files=()).private_key == str(key)


def test_the_become_password_is_not_in_the_connection_repr():
    assert "s3cret" not in repr(config.Connection(become_password="s3cret"))


def test_the_user_config_follows_xdg_config_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config.user_config() == tmp_path / "labctl" / "config.toml"


def test_a_default_become_is_for_the_room_not_for_this_machine(tmp_path):
    system = write(tmp_path / "system.toml", "become = true\n")
    assert not config.connection(env={}, files=(system,)).become
    assert config.connection(inventory="r.ini", env={}, files=(system,)).become
    assert config.connection(become=True, env={}, files=(system,)).become
