"""-k/--ask-pass (and -K beside it): the SSH password is asked for without echo, held in memory, and
given to ansible-playbook on its terminal (ansible-runner answers its prompts), never in argv, a file or
the environment. ansible-core's own prompts are the reference; no machine is contacted."""

import hashlib
import os
import re
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import pexpect
import pytest

from labctl.cli import options
from labctl.core import environment
from labctl.core.config import Connection
from labctl.core.environment import BECOME_PROMPT, SSH_PROMPT, ansible_env, cmdline, passwords
from labctl.core.errors import ExitCode, LabctlError

SECRET = 's3cr\'et "pw" $(id) --user root'
BECOME = "b3come;pw"

# What ansible-playbook prints (ansible/cli/__init__.py, CLI.ask_passwords): -k's prompt, and -K's with
# and without -k (AGNOSTIC_BECOME_PROMPT: "BECOME", not "SUDO").
ANSIBLE_SSH = "SSH password: "
ANSIBLE_BECOME_AFTER_SSH = "BECOME password[defaults to SSH password]: "
ANSIBLE_BECOME = "BECOME password: "


def ansible_runner_sees(pattern: str, output: str):
    """A prompt as ansible-runner looks for it: re.M (its config), searched in what the terminal showed."""
    return re.compile(pattern, re.M).search(output)


# --- cmdline: the arguments never hold a password --------------------------------------------------------


def test_ask_pass_adds_the_flag_and_never_the_password(tmp_path):
    conn = Connection(inventory="room.ini", ssh_password=SECRET, become=True, become_password=BECOME)
    line = cmdline(tmp_path / "vars.json", conn)
    args = shlex.split(line)
    assert "--ask-pass" in args and "--ask-become-pass" in args and "--become" in args
    assert args[:2] == ["-e", f"@{tmp_path / 'vars.json'}"]
    for secret in (SECRET, BECOME, "s3cr", "b3come"):
        assert secret not in line


def test_without_a_password_nothing_is_asked(tmp_path):
    args = shlex.split(cmdline(tmp_path / "vars.json", Connection(inventory="room.ini")))
    assert "--ask-pass" not in args and "--ask-become-pass" not in args


def test_user_and_key_go_as_arguments_beside_ask_pass(tmp_path):
    conn = Connection(inventory="room.ini", ssh_password=SECRET, remote_user="admin", private_key="/k/id")
    args = shlex.split(cmdline(tmp_path / "v.json", conn))
    assert args[args.index("--user") + 1] == "admin" and args[args.index("--private-key") + 1] == "/k/id"
    assert "--ask-pass" in args


def test_the_password_is_not_in_the_connections_repr():
    conn = Connection(ssh_password=SECRET, become_password=BECOME)
    assert SECRET not in repr(conn) and BECOME not in repr(conn)


# --- passwords: what ansible-runner answers ---------------------------------------------------------------


def test_passwords_answer_both_prompts():
    conn = Connection(ssh_password=SECRET, become_password=BECOME)
    assert passwords(conn) == {SSH_PROMPT: SECRET, BECOME_PROMPT: BECOME}
    assert passwords(Connection(ssh_password=SECRET)) == {SSH_PROMPT: SECRET}
    assert passwords(Connection(become_password=BECOME)) == {BECOME_PROMPT: BECOME}
    assert passwords(Connection()) is None


@pytest.mark.parametrize(
    ("shown", "answered_by"),
    [
        (ANSIBLE_SSH, SSH_PROMPT),
        (ANSIBLE_BECOME_AFTER_SSH, BECOME_PROMPT),
        (ANSIBLE_BECOME, BECOME_PROMPT),
        # what the terminal showed before: ansible's warnings, the answer to the first prompt
        ("[WARNING]: something\r\n" + ANSIBLE_SSH, SSH_PROMPT),
        (ANSIBLE_SSH + "\r\n" + ANSIBLE_BECOME_AFTER_SSH, BECOME_PROMPT),
    ],
    ids=["ssh", "become-after-ssh", "become", "ssh-after-a-warning", "become-after-the-ssh-answer"],
)
def test_each_prompt_of_ansible_playbook_is_answered_by_the_right_password(shown, answered_by):
    other = BECOME_PROMPT if answered_by == SSH_PROMPT else SSH_PROMPT
    assert ansible_runner_sees(answered_by, shown)
    last = shown.splitlines()[-1]  # what was answered already is consumed by pexpect
    assert not ansible_runner_sees(other, last), f"{other!r} would answer {last!r}"


def test_the_prompts_are_those_ansible_core_prints(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography's DSA deprecation, on import
        from ansible import context
        from ansible.cli import CLI

    asked = []
    monkeypatch.setattr(CLI, "_get_secret", staticmethod(lambda prompt: asked.append(prompt) or "x"))
    args = {"become_method": "sudo", "connection_password_file": None, "become_password_file": None}
    monkeypatch.setattr(context, "CLIARGS", {**args, "ask_pass": True, "become_ask_pass": True})
    CLI.ask_passwords()
    monkeypatch.setattr(context, "CLIARGS", {**args, "ask_pass": False, "become_ask_pass": True})
    CLI.ask_passwords()
    assert asked == [ANSIBLE_SSH, ANSIBLE_BECOME_AFTER_SSH, ANSIBLE_BECOME]


def test_a_terminal_conversation_as_ansible_runner_holds_it(tmp_path):
    """ansible-runner's loop (runner.py: expect the prompts, send the answer) against a program that asks
    as ansible-playbook -k -K does: each answer reaches its prompt, and only there."""
    asker = tmp_path / "asker.py"
    asker.write_text(
        "import getpass, hashlib\n"
        f"ssh = getpass.getpass({ANSIBLE_SSH!r})\n"
        f"become = getpass.getpass({ANSIBLE_BECOME_AFTER_SSH!r})\n"
        "digest = lambda text: hashlib.sha256(text.encode()).hexdigest()\n"
        "print('ssh', digest(ssh), 'become', digest(become))\n"
    )
    answers = passwords(Connection(ssh_password=SECRET, become_password=BECOME))
    patterns = [re.compile(p, re.M) for p in answers] + [pexpect.EOF]
    values = list(answers.values())
    child = pexpect.spawn(sys.executable, [str(asker)], encoding="utf-8", timeout=20, echo=False)
    seen = ""
    for _turn in range(5):
        try:
            index = child.expect(patterns, timeout=20, searchwindowsize=100)
        except pexpect.TIMEOUT:
            pytest.fail(f"no prompt was answered; the terminal showed {child.before!r}")
        seen += child.before + (child.after if isinstance(child.after, str) else "")
        if patterns[index] is pexpect.EOF:
            break
        child.sendline(values[index])
    child.close()
    digest = {"ssh": hashlib.sha256(SECRET.encode()).hexdigest(), "become": hashlib.sha256(BECOME.encode()).hexdigest()}
    assert f"ssh {digest['ssh']} become {digest['become']}" in seen
    assert SECRET not in seen and BECOME not in seen


# --- ansible_env: host keys stay checked; accept-new only when the trainer said so ---------------------------


def test_host_keys_are_checked_and_new_ones_not_accepted_by_default():
    for conn in (None, Connection(), Connection(inventory="room.ini", ssh_password=SECRET)):
        env = ansible_env(conn)
        assert env["ANSIBLE_SSH_ARGS"] == environment.SSH_ARGS
        assert "StrictHostKeyChecking" not in env["ANSIBLE_SSH_ARGS"]
        assert "ANSIBLE_HOST_KEY_CHECKING" not in env


def test_accept_new_host_keys_is_accept_new_never_no():
    env = ansible_env(Connection(inventory="room.ini", accept_new_host_keys=True))
    assert env["ANSIBLE_SSH_ARGS"] == environment.SSH_ARGS + " -o StrictHostKeyChecking=accept-new"
    assert "StrictHostKeyChecking=no" not in env["ANSIBLE_SSH_ARGS"]
    assert "ANSIBLE_HOST_KEY_CHECKING" not in env


def test_the_password_is_in_no_environment_variable():
    env = ansible_env(Connection(inventory="room.ini", ssh_password=SECRET, become_password=BECOME))
    assert not [k for k, v in env.items() if SECRET in v or BECOME in v]


# --- options.connection: -k asks once, and needs sshpass ---------------------------------------------------

SSHPASS_MISSING = (
    "-k/--ask-pass needs sshpass on this machine (Ansible hands it the password): run "
    "`sudo apt-get install sshpass`, or give the machines a key (`labctl host keys`, ssh-copy-id)."
)


@pytest.fixture
def no_config(monkeypatch, tmp_path):
    monkeypatch.setattr("labctl.core.config.SYSTEM_CONFIG", tmp_path / "etc" / "config.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in [n for n in os.environ if n.startswith("LABCTL_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def asked(monkeypatch):
    prompts = []

    def getpass(prompt):
        prompts.append(prompt)
        return {"SSH password: ": SECRET, "BECOME password: ": BECOME}[prompt]

    monkeypatch.setattr(options.getpass, "getpass", getpass)
    return prompts


def test_ask_pass_without_sshpass_is_one_sentence_and_asks_nothing(monkeypatch, no_config, asked):
    monkeypatch.setattr(options.shutil, "which", lambda name: None)
    with pytest.raises(LabctlError) as caught:
        options.connection("room.ini", None, ask_pass=True)
    assert caught.value.message == SSHPASS_MISSING and caught.value.exit_code == ExitCode.USAGE
    assert asked == []


def test_ask_pass_looks_for_sshpass_and_asks_once(monkeypatch, no_config, asked):
    looked = []
    monkeypatch.setattr(options.shutil, "which", lambda name: looked.append(name) or f"/usr/bin/{name}")
    conn = options.connection("room.ini", None, ask_pass=True)
    assert looked == ["sshpass"] and asked == ["SSH password: "]
    assert conn.ssh_password == SECRET and conn.become_password is None


def test_ask_pass_and_ask_become_pass_ask_in_ansibles_order(monkeypatch, no_config, asked):
    monkeypatch.setattr(options.shutil, "which", lambda name: "/usr/bin/sshpass")
    conn = options.connection("room.ini", None, become=True, ask_become_pass=True, ask_pass=True)
    assert asked == ["SSH password: ", "BECOME password: "]
    assert (conn.ssh_password, conn.become_password, conn.become) == (SECRET, BECOME, True)


def test_without_ask_pass_neither_sshpass_nor_a_password(monkeypatch, no_config, asked):
    monkeypatch.setattr(options.shutil, "which", lambda name: pytest.fail("sshpass looked for"))
    assert options.connection("room.ini", None).ssh_password is None
    assert asked == []


def test_ask_pass_without_a_terminal_is_one_sentence(monkeypatch, no_config):
    monkeypatch.setattr(options.shutil, "which", lambda name: "/usr/bin/sshpass")

    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr(options.getpass, "getpass", no_terminal)
    with pytest.raises(LabctlError) as caught:
        options.connection("room.ini", None, ask_pass=True)
    assert caught.value.message == (
        "-k/--ask-pass needs a terminal to ask on; run labctl from one, or give the machines an SSH key instead."
    )
    assert caught.value.exit_code == ExitCode.USAGE


def test_labctl_k_without_sshpass_says_the_one_sentence_and_exits_2(monkeypatch, no_config, tmp_path, capsys):
    from labctl.cli import app, host

    monkeypatch.setattr(options.shutil, "which", lambda name: None)
    monkeypatch.setattr(host, "run_playbook", lambda *a, **kw: pytest.fail("Ansible ran"))
    inventory = tmp_path / "room.ini"
    inventory.write_text("pc1\n")
    monkeypatch.setattr(sys, "argv", ["labctl", "host", "keys", "-i", str(inventory), "-k"])
    with pytest.raises(SystemExit) as done:
        app.main()
    assert done.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.strip() == f"error: {SSHPASS_MISSING}"
    assert "Traceback" not in err


def test_labctl_k_hands_the_password_to_the_run_in_memory_only(monkeypatch, no_config, tmp_path, asked):
    from typer.testing import CliRunner

    from labctl.cli import host
    from labctl.cli.app import app
    from labctl.core.results import RunResult

    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(options.shutil, "which", lambda name: "/usr/bin/sshpass")
    runs = []

    def fake(playbook, extravars, *, connection, **kw):
        runs.append(connection)
        return RunResult(status="successful", rc=0, duration=1.0, artifacts=Path("/tmp"), hosts=["pc1"])

    monkeypatch.setattr(host, "run_playbook", fake)
    inventory = tmp_path / "room.ini"
    inventory.write_text("pc1\n")
    outcome = CliRunner().invoke(
        app, ["host", "keys", "-i", str(inventory), "-k", "-u", "admin", "--known-hosts", str(tmp_path / "kh")]
    )
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output  # the fake gave pc1 no key
    (conn,) = runs
    assert asked == ["SSH password: "] and conn.ssh_password == SECRET and conn.remote_user == "admin"
    line = cmdline(tmp_path / "v.json", conn)
    assert "--ask-pass" in shlex.split(line) and SECRET not in line
    assert passwords(conn) == {SSH_PROMPT: SECRET}
    assert SECRET not in outcome.output


def test_the_k_option_is_documented_with_sshpass():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "labctl"), "host", "keys", "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--ask-pass" in result.stdout and "-k" in result.stdout and "sshpass" in result.stdout
