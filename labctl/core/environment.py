"""How labctl starts Ansible: its environment, the time a task may take, and ansible-playbook's arguments."""

import os
import shlex
import sys
from pathlib import Path

from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.paths import collections_paths, content_dir, own_home

BECOME_PROMPT = r"BECOME password[^:\n]*:\s*$"  # what ansible-playbook -K asks (ansible-runner answers it)
SSH_PROMPT = r"SSH password:\s*$"  # what ansible-playbook -k asks (ansible-runner answers it)
SSH_ARGS = "-C -o ControlMaster=auto -o ControlPersist=60s"


def ansible_env(conn: Connection | None = None) -> dict[str, str]:
    content = content_dir()
    bindir = str(Path(sys.executable).parent)
    return {
        # Ansible keeps ~/.ansible (its temporary files, SSH control sockets) in the home the password
        # database names: under `sudo -E`, a student's $HOME would get root's files.
        "HOME": own_home(),
        "PATH": bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "ANSIBLE_ROLES_PATH": str(content / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(map(str, collections_paths())),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_SYSTEM_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        # A room over SSH: modules piped into one session, and the connection kept open between tasks.
        "ANSIBLE_PIPELINING": "True",
        # Host keys are checked (never silently off): a fresh room's are recorded by `labctl host keys`, or,
        # when the trainer said so (accept_new_host_keys), by ssh itself on first contact.
        "ANSIBLE_SSH_ARGS": SSH_ARGS
        + (" -o StrictHostKeyChecking=accept-new" if conn is not None and conn.accept_new_host_keys else ""),
        # A hung Podman must not hang labctl: no task may take longer (builds and waits stay well below).
        "ANSIBLE_TASK_TIMEOUT": str(task_timeout()),
        # labctl picks its language itself (lab_lang); Ansible stops when the user's locale is not
        # installed here (LANG=de_DE.UTF-8 on a machine without it), and every machine has C.UTF-8.
        "LC_ALL": "C.UTF-8",
    }


def task_timeout() -> int:
    """Seconds any one task may take (LABCTL_TASK_TIMEOUT, default 900)."""
    value = os.environ.get("LABCTL_TASK_TIMEOUT", "900")
    if not value.isdecimal() or int(value) < 1:
        raise LabctlError(
            _("LABCTL_TASK_TIMEOUT={value!r} must be a whole number of seconds.").format(value=value), ExitCode.USAGE
        )
    return int(value)


def cmdline(vars_file: Path, conn: Connection) -> str:
    """ansible-playbook's arguments besides the playbook: never a secret (the passwords are asked for)."""
    args = ["-e", f"@{vars_file}"]
    if conn.become:
        args.append("--become")
    if conn.become_password:
        args.append("--ask-become-pass")
    if conn.ssh_password:
        args.append("--ask-pass")
    if conn.private_key:
        args += ["--private-key", conn.private_key]
    if conn.remote_user:
        args += ["--user", conn.remote_user]
    return shlex.join(args)


def passwords(conn: Connection) -> dict[str, str] | None:
    """What ansible-runner answers on ansible-playbook's terminal for -k and -K: never argv or a file."""
    answers = {}
    if conn.ssh_password:
        answers[SSH_PROMPT] = conn.ssh_password
    if conn.become_password:
        answers[BECOME_PROMPT] = conn.become_password
    return answers or None


def connection_vars(conn: Connection) -> dict[str, object]:
    """The extra vars a connection adds to every run: the lab user given by flag or config (each host's
    lab_user in the inventory otherwise) and, on this machine, its port offset."""
    extra: dict[str, object] = {}
    if conn.lab_user:
        extra["lab_user"] = conn.lab_user
    if conn.port_offset is not None:
        extra["lab_port_offset"] = conn.port_offset
    return extra
