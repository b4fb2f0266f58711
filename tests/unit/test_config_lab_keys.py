"""The config keys of a room's machine: lab_user, lab_port_offset (a number or "auto") and
accept_new_host_keys, with their LABCTL_* variables, as /etc/labctl/config.toml and the user's file give
them (flag > environment > user config > system config); and the /etc/labctl/config.toml that
`labctl host setup --install-labctl` writes (roles/host/templates/config.toml.j2), read back as data."""

import json
import os
import re
import sys
from pathlib import Path

import jinja2
import pytest
import yaml
from ansible_collections.labctl.lab.plugins.module_utils import lab_store

from labctl.core import config
from labctl.core.errors import ExitCode, LabctlError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
OTHER = "student07"  # never the account the tests run as (that one's lab is its own store: lab_user None)


@pytest.fixture
def files(monkeypatch, tmp_path):
    """The system's and the user's config file where labctl looks for them (SYSTEM_CONFIG,
    XDG_CONFIG_HOME), both in tmp_path; no LABCTL_* variable from the outside."""
    system = tmp_path / "etc" / "labctl" / "config.toml"
    user = tmp_path / "config" / "labctl" / "config.toml"
    system.parent.mkdir(parents=True)
    user.parent.mkdir(parents=True)
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in [n for n in os.environ if n.startswith("LABCTL_")]:
        monkeypatch.delenv(name)
    return system, user


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and "Traceback" not in message


# --- where the files are -------------------------------------------------------------------------------


def test_the_files_are_etc_and_the_users_config(monkeypatch, tmp_path):
    assert Path("/etc/labctl/config.toml") == config.SYSTEM_CONFIG
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config.user_config() == tmp_path / "xdg" / "labctl" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.user_config() == tmp_path / "home" / ".config" / "labctl" / "config.toml"


def test_the_system_file_gives_the_machines_lab_settings(files):
    system, _user = files
    system.write_text(f'lab_user = "{OTHER}"\nlab_port_offset = 300\naccept_new_host_keys = true\n')
    assert config.defaults() == {"lab_user": OTHER, "lab_port_offset": 300, "accept_new_host_keys": True}
    conn = config.connection()
    assert (conn.lab_user, conn.port_offset, conn.accept_new_host_keys) == (OTHER, 300, True)


def test_nothing_configured_is_no_lab_user_no_offset_and_new_keys_not_accepted(files):
    conn = config.connection()
    assert (conn.lab_user, conn.port_offset, conn.accept_new_host_keys) == (None, None, False)


# --- precedence: flag > environment > user > system ---------------------------------------------------------


def test_lab_user_flag_over_environment_over_user_over_system(files, monkeypatch):
    system, user = files
    system.write_text('lab_user = "sysuser"\n')
    assert config.connection().lab_user == "sysuser"
    user.write_text('lab_user = "cfguser"\n')
    assert config.connection().lab_user == "cfguser"
    monkeypatch.setenv("LABCTL_LAB_USER", "envuser")
    assert config.connection().lab_user == "envuser"
    assert config.connection(lab_user="flaguser").lab_user == "flaguser"


def test_a_room_run_leaves_the_lab_user_to_each_hosts_inventory_entry(files, monkeypatch):
    """The machine's config (host setup writes its student into /etc/labctl/config.toml) and the environment
    speak for this machine: on a room run they would become an extra var overriding every host's lab_user."""
    system, user = files
    system.write_text('lab_user = "sysuser"\n')
    user.write_text('lab_user = "cfguser"\n')
    monkeypatch.setenv("LABCTL_LAB_USER", "envuser")
    assert config.connection(inventory="room.ini").lab_user is None
    assert config.connection(limit="pc1").lab_user is None
    assert config.connection(inventory="room.ini", lab_user="flaguser").lab_user == "flaguser"  # said for all


def test_port_offset_environment_over_user_over_system(files, monkeypatch):
    system, user = files
    system.write_text("lab_port_offset = 100\n")
    assert config.connection().port_offset == 100
    user.write_text("lab_port_offset = 200\n")
    assert config.connection().port_offset == 200
    monkeypatch.setenv("LABCTL_PORT_OFFSET", "300")
    assert config.connection().port_offset == 300
    monkeypatch.setenv("LABCTL_PORT_OFFSET", "")  # set but empty: as if not set
    assert config.connection().port_offset == 200


def test_accept_new_host_keys_environment_over_user_over_system(files, monkeypatch):
    system, user = files
    system.write_text("accept_new_host_keys = true\n")
    assert config.connection(inventory="room.ini").accept_new_host_keys is True
    user.write_text("accept_new_host_keys = false\n")
    assert config.connection(inventory="room.ini").accept_new_host_keys is False
    monkeypatch.setenv("LABCTL_ACCEPT_NEW_HOST_KEYS", "yes")
    assert config.connection(inventory="room.ini").accept_new_host_keys is True
    monkeypatch.setenv("LABCTL_ACCEPT_NEW_HOST_KEYS", "0")
    assert config.connection(inventory="room.ini").accept_new_host_keys is False


def test_the_explicit_files_and_env_of_defaults_replace_the_usual_ones(tmp_path):
    low, high = tmp_path / "low.toml", tmp_path / "high.toml"
    low.write_text('lab_user = "low"\nlab_port_offset = "auto"\naccept_new_host_keys = true\n')
    high.write_text('lab_user = "high"\n')
    assert config.defaults(env={}, files=(low, high)) == {
        "lab_user": "high",
        "lab_port_offset": "auto",
        "accept_new_host_keys": True,
    }
    env = {"LABCTL_PORT_OFFSET": " 42 ", "LABCTL_ACCEPT_NEW_HOST_KEYS": "off", "LABCTL_LAB_USER": "env_u"}
    assert config.defaults(env=env, files=(low, high)) == {
        "lab_user": "env_u",
        "lab_port_offset": 42,
        "accept_new_host_keys": False,
    }


# --- lab_port_offset: a number, or auto ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "value"),
    [
        ("lab_port_offset = 0", 0),
        ("lab_port_offset = 50000", 50000),
        ('lab_port_offset = "300"', 300),
        ('lab_port_offset = " 0300 "', 300),
        ('lab_port_offset = "auto"', "auto"),
        ('lab_port_offset = " AUTO "', "auto"),
    ],
)
def test_lab_port_offset_values(tmp_path, toml, value):
    path = tmp_path / "config.toml"
    path.write_text(toml + "\n")
    assert config.defaults(env={}, files=(path,)) == {"lab_port_offset": value}


def test_auto_is_the_lab_users_step_on_this_machine(files, monkeypatch):
    system, _user = files
    system.write_text(f'lab_port_offset = "auto"\nlab_user = "{OTHER}"\n')
    asked = []
    monkeypatch.setattr(config, "auto_offset", lambda user: asked.append(user) or 700)
    assert config.connection().port_offset == 700 and asked == [OTHER]


def test_auto_without_a_lab_user_is_this_accounts_step(files):
    system, _user = files
    system.write_text('lab_port_offset = "auto"\n')
    assert config.connection().port_offset == lab_store.auto_offset(os.geteuid())


def test_auto_for_an_account_this_machine_lacks_is_one_sentence(files):
    system, _user = files
    system.write_text('lab_port_offset = "auto"\nlab_user = "nosuchstudent9"\n')
    with pytest.raises(LabctlError) as caught:
        config.connection()
    assert caught.value.message == "lab_user nosuchstudent9: there is no such user on this machine."
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_room_run_leaves_the_machines_own_offset_to_the_inventory(files):
    system, _user = files
    system.write_text("lab_port_offset = 300\n")
    assert config.connection(inventory="room.ini").port_offset is None
    assert config.connection(limit="pc1").port_offset is None
    assert config.connection().port_offset == 300


def test_the_own_account_as_lab_user_is_its_own_store(files, monkeypatch):
    system, _user = files
    monkeypatch.setattr(config, "own_name", lambda: OTHER)
    system.write_text(f'lab_user = "{OTHER}"\n')
    assert config.connection().lab_user is None  # this machine, as the lab user: no become to itself
    assert config.connection(inventory="room.ini").lab_user is None  # a room: each host's own lab_user
    assert config.connection(inventory="room.ini", lab_user=OTHER).lab_user == OTHER  # the flag: every host


# --- wrong values: one sentence, exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('lab_port_offset = "lots"', "lab_port_offset in {file} is 'lots', but must be a whole number from 0 to "),
        ("lab_port_offset = -1", "is -1, but must be a whole number from 0 to 50000 or auto"),
        ("lab_port_offset = 50001", "is 50001, but must be a whole number"),
        ("lab_port_offset = 3.5", "is 3.5, but must be a whole number"),
        ("lab_port_offset = true", "is True, but must be a whole number"),
        ('lab_port_offset = ""', "is '', but must be a whole number"),
        ('lab_port_offset = "³"', "is '³', but must be a whole number"),  # a digit int() refuses
        ('lab_user = "Student 7"', "lab_user in {file} is 'Student 7', but must be an account name"),
        ('lab_user = "x\\"; rm -rf /"', "but must be an account name"),
        ("lab_user = 7", "lab_user in {file} is 7, but must be an account name"),
        ('accept_new_host_keys = "maybe"', "accept_new_host_keys in {file} is 'maybe', but must be true or false"),
        ("accept_new_host_keys = 1", "is 1, but must be true or false"),
        ("lab_port_offset = ", "cannot be read"),
        ("lab_ports_offset = 3", "unknown key(s) lab_ports_offset"),
    ],
)
def test_a_wrong_value_in_a_file_is_one_sentence_naming_file_and_key(files, toml, words):
    system, _user = files
    system.write_text(toml + "\n")
    with pytest.raises(LabctlError) as caught:
        config.connection()
    message = caught.value.message
    assert words.format(file=system) in message and str(system) in message
    assert one_sentence(message) and caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("LABCTL_PORT_OFFSET", "lots", "is 'lots', but must be a whole number from 0 to 50000 or auto"),
        ("LABCTL_PORT_OFFSET", "-5", "is '-5', but must be a whole number"),
        ("LABCTL_PORT_OFFSET", "²", "is '²', but must be a whole number"),
        ("LABCTL_LAB_USER", "Student 7", "is 'Student 7', but must be an account name"),
        ("LABCTL_ACCEPT_NEW_HOST_KEYS", "maybe", "is 'maybe', but must be true or false"),
        ("LABCTL_FORKS", "²", "is '²', but must be a whole number above 0"),
    ],
)
def test_a_wrong_environment_variable_is_one_sentence_naming_it(files, monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(LabctlError) as caught:
        config.connection()
    message = caught.value.message
    assert f"in the environment variable {name} {words}" in message
    assert one_sentence(message) and caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize("value", ["lots", "0", "²"])
def test_a_wrong_task_timeout_is_one_sentence(monkeypatch, value):
    from labctl.core import environment

    monkeypatch.setenv("LABCTL_TASK_TIMEOUT", value)
    with pytest.raises(LabctlError) as caught:
        environment.task_timeout()
    assert caught.value.message == f"LABCTL_TASK_TIMEOUT={value!r} must be a whole number of seconds."
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_wrong_lab_user_flag_is_one_sentence(files):
    with pytest.raises(LabctlError) as caught:
        config.connection(lab_user="Student 7")
    assert "--lab-user is 'Student 7', but must be an account name" in caught.value.message
    assert one_sentence(caught.value.message) and caught.value.exit_code == ExitCode.USAGE


def test_labctl_with_a_wrong_offset_in_the_config_says_one_line_and_exits_2(files, monkeypatch, tmp_path, capsys):
    from labctl.cli import app, host

    system, _user = files
    system.write_text('lab_port_offset = "lots"\n')
    monkeypatch.setattr(host, "run_playbook", lambda *a, **kw: pytest.fail("Ansible ran"))
    inventory = tmp_path / "room.ini"
    inventory.write_text("pc1\n")
    monkeypatch.setattr(sys, "argv", ["labctl", "host", "keys", "-i", str(inventory)])
    with pytest.raises(SystemExit) as done:
        app.main()
    assert done.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"error: lab_port_offset in {system} is 'lots', but must be a whole number from 0 to 50000 or auto; correct it."
    ]


# --- what host setup writes: roles/host/templates/config.toml.j2 -------------------------------------------


def regex_search(value, pattern):
    """ansible.builtin.regex_search without groups: the match, or None."""
    found = re.search(pattern, str(value))
    return found.group() if found else None


def render(user="", offset=None, scenarios=()):
    """The template as Ansible's template module renders it (trim_blocks), to_json as json.dumps."""
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
    env.filters["to_json"] = json.dumps
    env.filters["regex_search"] = regex_search
    template = env.from_string((ROOT / "roles/host/templates/config.toml.j2").read_text())
    role_vars = yaml.safe_load((ROOT / "roles/host/vars/main.yml").read_text())
    return template.render(
        __host_dropin_marker=role_vars["__host_dropin_marker"],
        __host_labctl_user=user,
        __host_labctl_offset=offset,
        host_labctl_scenarios=list(scenarios),
    )


def test_the_written_file_starts_with_labctls_marker_and_is_toml():
    text = render(OTHER, "auto", ["ex1", "ex2"])
    assert text.startswith("# Written by labctl")
    assert tomllib.loads(text) == {"lab_user": OTHER, "lab_port_offset": "auto", "scenarios": ["ex1", "ex2"]}


@pytest.mark.parametrize(
    ("offset", "value"),
    # An INI inventory's value is a string as written; "0300" is 300 for the trainer's runs (ports.port_offset),
    # and a TOML number has no leading zero.
    [(0, 0), (300, 300), ("auto", "auto"), ("0", 0), ("300", 300), ("0300", 300)],
    ids=["0", "300", "auto", "ini-0", "ini-300", "ini-0300"],
)
def test_the_offset_is_written_as_a_number_or_auto(offset, value):
    assert tomllib.loads(render(offset=offset)) == {"lab_port_offset": value}


def test_a_wrong_offset_is_written_as_it_is_and_the_students_labctl_names_it(tmp_path):
    """Never silently "auto": the student's labctl reads the value the inventory gave and names it."""
    written = tmp_path / "config.toml"
    written.write_text(render(offset='lots"\n'))
    assert tomllib.loads(written.read_text()) == {"lab_port_offset": 'lots"\n'}
    with pytest.raises(LabctlError, match="must be a whole number from 0 to 50000 or auto"):
        config.defaults(env={}, files=(written,))


@pytest.mark.parametrize("offset", [None, ""])
def test_no_offset_writes_no_offset(offset):
    assert tomllib.loads(render(offset=offset)) == {}


@pytest.mark.parametrize(
    "user",
    ['stu"dent', "o'brien", 'x"\nlab_port_offset = 1\n#', "back\\slash", "tab\there", "müller"],
)
def test_a_user_name_stays_data(user):
    assert tomllib.loads(render(user=user, offset=300)) == {"lab_user": user, "lab_port_offset": 300}


def test_what_host_setup_writes_the_students_labctl_reads(tmp_path):
    written = tmp_path / "config.toml"
    written.write_text(render(OTHER, 300, ["ex1", "ex2"]))
    assert config.defaults(env={}, files=(written,)) == {
        "lab_user": OTHER,
        "lab_port_offset": 300,
        "scenarios": ["ex1", "ex2"],
    }
    written.write_text(render(OTHER, "auto", []))
    assert config.defaults(env={}, files=(written,)) == {"lab_user": OTHER, "lab_port_offset": "auto"}


@pytest.mark.parametrize("offset", [0, 300, "auto", "0300", None])
def test_ansibles_own_templating_writes_the_same(offset):
    """The emulation above, checked once against ansible-core's Templar (the template module's engine)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography's DSA deprecation, on import
        from ansible.parsing.dataloader import DataLoader
        from ansible.template import Templar, trust_as_template

    role_vars = yaml.safe_load((ROOT / "roles/host/vars/main.yml").read_text())
    variables = {
        "__host_dropin_marker": role_vars["__host_dropin_marker"],
        "__host_labctl_user": 'stu"dent',
        "__host_labctl_offset": offset,
        "host_labctl_scenarios": ["ex1", "ex2"],
    }
    source = trust_as_template((ROOT / "roles/host/templates/config.toml.j2").read_text())
    text = Templar(loader=DataLoader(), variables=variables).template(source)
    assert tomllib.loads(text) == tomllib.loads(render('stu"dent', offset, ["ex1", "ex2"]))
