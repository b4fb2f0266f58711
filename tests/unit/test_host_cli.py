"""`labctl host setup --undo` on the command line and what it hands to Ansible (no Ansible run here)."""

import pytest

from labctl.core import actions, scenarios
from tests.conftest import run_labctl


@pytest.fixture
def captured(monkeypatch):
    calls = []
    monkeypatch.setattr(actions, "run_playbook", lambda playbook, extravars, **kw: calls.append((playbook, extravars)))
    return calls


def test_undo_hands_the_host_playbook_only_the_action(captured):
    actions.run_host_action("undo", scenarios.load_all())
    assert captured == [("host.yml", {"lab_host_action": "undo"})]


def test_setup_still_hands_over_the_ports_of_the_scenarios(captured):
    actions.run_host_action("setup", scenarios.load_all(), rootless_user="student")
    _, extravars = captured[0]
    assert extravars["lab_host_action"] == "setup"
    assert extravars["host_rootless_user"] == "student"
    assert isinstance(extravars["host_port_checks"], list)


def test_an_unknown_host_action_is_a_programming_error(captured):
    with pytest.raises(ValueError, match="unknown host action"):
        actions.run_host_action("teardown", [])
    assert captured == []


def test_undo_with_lab_user_is_a_usage_error_before_anything_runs():
    result = run_labctl("host", "setup", "--undo", "--lab-user", "student")
    assert result.rc == 2, result.stdout + result.stderr
    assert "do not go with --undo" in result.stderr


def test_user_is_no_longer_the_lab_user():
    # -u/--user is the SSH user, as Ansible means it; the rootless lab user is --lab-user.
    result = run_labctl("host", "setup", "--undo", "--user", "admin", "--lab-user", "student")
    assert result.rc == 2 and "do not go with --undo" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_setup_help_shows_undo():
    result = run_labctl("host", "setup", "--help")
    assert result.rc == 0
    assert "--undo" in result.stdout


def test_undo_runs_on_a_machine_whose_config_names_its_student(monkeypatch, tmp_path):
    """--install-labctl writes the machine's student into /etc/labctl/config.toml: a config's (or the
    environment's) lab user is not the --lab-user flag, and --undo still runs there."""
    from typer.testing import CliRunner

    from labctl.cli import host
    from labctl.cli.app import app

    monkeypatch.setenv("LABCTL_LAB_USER", "student1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    ran = []
    monkeypatch.setattr(
        host, "_run", lambda action, opts, settings=None: ran.append((action, opts.connection.lab_user))
    )
    result = CliRunner().invoke(app, ["host", "setup", "--undo"])
    assert result.exit_code == 0, result.output
    assert ran == [("undo", "student1")]
