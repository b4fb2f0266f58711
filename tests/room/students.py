"""Many students on one machine: local accounts reached over SSH through a private sshd on 127.0.0.1.

``Classroom(dir).up(3)`` creates the accounts labctl-s01.. (each with subuid/subgid ranges and a key),
starts an sshd of its own (own config, host key and pid file, key logins only) on a free loopback
port, and writes an inventory (group ``students``, hosts s01.., ``lab_port_offset`` 100, 200, …).
``down()`` stops that sshd, removes everything in each student's Podman store (the accounts are the
test's own), ends the processes the accounts still run (by PID), deletes the accounts and the folder.

CLI (as root): students.py up N | down
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "labctl-s"
DEFAULT_DIR = Path(os.environ.get("LABCTL_STUDENTS_DIR", "/tmp/labctl-students"))
OFFSET_STEP = 100
SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(user: str, *args: str, input: bytes | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """A command as the student, with the environment a login would give (no systemd, no XDG_RUNTIME_DIR)."""
    env = ["HOME=/home/" + user, "USER=" + user, "LOGNAME=" + user, "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *env, *args],
        capture_output=True,
        input=input,
        timeout=timeout,
        cwd="/",
    )


class Classroom:
    def __init__(self, state_dir: Path | str = DEFAULT_DIR):
        self.dir = Path(state_dir)
        self.key = self.dir / "id_ed25519"
        self.inventory = self.dir / "students.ini"
        self.pidfile = self.dir / "sshd.pid"
        self.port = 0
        self.users: list[str] = []

    @staticmethod
    def user(i: int) -> str:
        return f"{PREFIX}{i:02d}"

    def up(self, n: int, deadline: float = 30) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if not self.key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key)], check=True)
        pub = self.key.with_suffix(".pub").read_text()
        for i in range(1, n + 1):
            name = self.user(i)
            if subprocess.run(["id", name], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
            # A non-locked password field: with UsePAM off, sshd refuses a key login to a locked account.
            subprocess.run(["usermod", "-p", "*", name], check=True)
            ssh_dir = Path(f"/home/{name}/.ssh")
            ssh_dir.mkdir(mode=0o700, exist_ok=True)
            (ssh_dir / "authorized_keys").write_text(pub)
            (ssh_dir / "authorized_keys").chmod(0o600)
            shutil.chown(ssh_dir, name, name)
            shutil.chown(ssh_dir / "authorized_keys", name, name)
            self.users.append(name)
        self._start_sshd()
        self.wait_ssh(deadline)
        self.write_inventory(n)
        return self.inventory

    def _start_sshd(self) -> None:
        hostkey = self.dir / "ssh_host_ed25519_key"
        if not hostkey.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(hostkey)], check=True)
        self.port = free_port()
        config = self.dir / "sshd_config"
        config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {hostkey}\nPidFile {self.pidfile}\n"
            "AuthorizedKeysFile .ssh/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            f"UsePAM no\nPermitRootLogin no\nAllowUsers {' '.join(self.users)}\nSubsystem sftp internal-sftp\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        subprocess.run([SSHD, "-f", str(config)], check=True)  # forks; its PID goes to the pid file

    def ssh(self, user: str, command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ssh", "-i", str(self.key), "-p", str(self.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=3",
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
             f"{user}@127.0.0.1", command],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def wait_ssh(self, deadline: float) -> None:
        end = time.monotonic() + deadline
        pending = list(self.users)
        while pending:
            pending = [u for u in pending if self.ssh(u, "true", timeout=10).returncode != 0]
            if not pending:
                return
            if time.monotonic() > end:
                raise RuntimeError(f"{pending} could not log in over SSH within {deadline:.0f} s")
            time.sleep(0.2)

    def write_inventory(self, n: int) -> Path:
        lines = ["[students]"]
        for i in range(1, n + 1):
            lines.append(
                f"s{i:02d} ansible_host=127.0.0.1 ansible_port={self.port} ansible_user={self.user(i)} "
                f"ansible_ssh_private_key_file={self.key} ansible_python_interpreter=/usr/bin/python3 "
                "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' "
                f"lab_port_offset={i * OFFSET_STEP}"
            )
        self.inventory.write_text("\n".join(lines) + "\n")
        return self.inventory

    def podman(self, user: str, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
        return as_user(user, "podman", *args, input=input)

    def load_images(self, images: list[str], users: list[str] | None = None) -> None:
        """Root saves the images once; each student loads them into their own store (one at a time:
        parallel loads only contend for the two cores)."""
        archive_dir = Path(tempfile.mkdtemp(prefix="labctl-student-images-"))
        archive_dir.chmod(0o755)
        archive = archive_dir / "images.tar"
        try:
            subprocess.run(["podman", "save", "--multi-image-archive", "-o", str(archive), *images], check=True)
            archive.chmod(0o644)
            for user in users or self.users:
                proc = self.podman(user, "load", "-i", str(archive))
                if proc.returncode != 0:
                    raise RuntimeError(f"{user}: podman load failed: {proc.stderr.decode(errors='replace')}")
        finally:
            shutil.rmtree(archive_dir, ignore_errors=True)

    def users_present(self) -> list[str]:
        return sorted(p.pw_name for p in pwd.getpwall() if p.pw_name.startswith(PREFIX))

    def down(self) -> None:
        """Stop the private sshd, empty and delete the student accounts; a no-op when nothing is there."""
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(self.pidfile.read_text().strip()), signal.SIGTERM)
        for user in self.users_present():
            # The account is the test's own: everything in its store goes.
            self.podman(user, "system", "reset", "--force")
            uid = pwd.getpwnam(user).pw_uid
            for _ in range(50):  # what the account still runs (Podman's pause process, conmon): by PID
                pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid]
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.1)
            subprocess.run(["userdel", "--remove", user], capture_output=True)
            shutil.rmtree(f"/tmp/podman-run-{uid}", ignore_errors=True)
            shutil.rmtree(f"/tmp/containers-user-{uid}", ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def _owner(proc: Path) -> int:
    try:
        return proc.stat().st_uid
    except FileNotFoundError:
        return -1


def main(argv: list[str]) -> int:
    classroom = Classroom()
    if argv[:1] == ["up"] and len(argv) == 2:
        print(classroom.up(int(argv[1])))
    elif argv == ["down"]:
        classroom.down()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
