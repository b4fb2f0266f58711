#!/usr/bin/env python3
"""A room of training machines on this host, for labctl's classroom tests and the bench.

Each "training machine" is a privileged Podman container ``labctl-room-<i>`` made from a Debian
bookworm image built here from the distribution's packages (mmdebstrap): sshd as its main process,
sudo, python3, no Podman (``labctl host setup`` installs it). Each machine has its own network
namespace (the course's ports are free in every one), its own named volume for
``/var/lib/containers`` (so the Podman inside uses overlay), and its sshd published on
127.0.0.1:<free port>; the admin user ``trainer`` logs in with a key made for the room and has
passwordless sudo, so labctl reaches the machines with ``become`` like a real room. Each machine also has
two student accounts (``STUDENTS``), reached only through the admin (``become_user``: no key, no password),
as IT's room is: the lab lives in the student's rootless store (issue 19). Host keys are checked: the room
records each machine's key, read from the machine itself, in its own known_hosts file.

Usage (as root):
    room.py up N [--load IMAGE ...]   bring N machines up (the room's image built when its recipe changed)
    room.py down                      remove machines, volumes, key and inventory (idempotent)
    room.py inventory                 print the inventory's path
    room.py status                    one line per machine
    room.py load IMAGE ...            load images from this host's store into every machine's Podman

Importable: ``Room(dir).up(3)``, ``.down()``, ``.stop(i)``, ``.start(i)``, ``.refuse_sudo(i)``,
``.allow_sudo(i)``, ``.load_images([...])``, ``.ssh(i, cmd)``, ``.podman(i, ...)``.
Every object made carries the label io.labctl.test-room=true (and io.labctl.test-room.prefix); ``down``
removes the labelled objects named with its own prefix (default labctl-room-), so rooms with other
prefixes (the suite's, a person's) stay apart.
The state (key, inventory) lives in LABCTL_ROOM_DIR (default /tmp/labctl-room).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

if __package__:
    from tests import aptcache
else:  # run as a script: tests/room/room.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests import aptcache
from labctl.core.environment import SSH_ARGS

LABEL = "io.labctl.test-room"
ROOM_LABEL = "io.labctl.test-room.prefix"  # which room an object belongs to: rooms side by side stay apart
RECIPE_LABEL = "io.labctl.test-room.recipe"
IMAGE_REPO = "localhost/labctl-room-machine"
PREFIX = "labctl-room-"
USER = "trainer"
STUDENTS = ("student1", "student2")  # each machine's student accounts (no SSH login of their own)
HOST_DEBS = "/var/cache/apt/archives"  # this host's downloaded Debian packages
MACHINE_DEBS = "/var/cache/labctl-host-debs"
DEFAULT_DIR = Path(os.environ.get("LABCTL_ROOM_DIR", "/tmp/labctl-room"))
MIRROR = os.environ.get("LABCTL_STANDIN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("LABCTL_STANDIN_SECURITY_MIRROR", "http://deb.debian.org/debian-security")

# --- the recipe: everything below up to RECIPE is hashed; a change rebuilds the image ---------------
PACKAGES = ["openssh-server", "sudo", "python3", "python3-venv", "iproute2", "ca-certificates", "procps", "curl"]
HOOKS = [
    'rm -f "$1/etc/resolv.conf" "$1/etc/hostname"',
    f'chroot "$1" useradd --create-home --shell /bin/bash {USER}',
    # A non-locked password field: sshd refuses key logins to a locked account when PAM is off.
    f'chroot "$1" usermod -p "*" {USER}',
    *(f'chroot "$1" useradd --create-home --shell /bin/bash {s}' for s in STUDENTS),
    f'echo "{USER} ALL=(ALL) NOPASSWD:ALL" > "$1/etc/sudoers.d/{USER}" && chmod 0440 "$1/etc/sudoers.d/{USER}"',
    'printf "PasswordAuthentication no\\nPermitRootLogin no\\nUseDNS no\\n" > "$1/etc/ssh/sshd_config.d/room.conf"',
]
CMD = ["/bin/sh", "-c", "mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e"]
RECIPE = {"version": 2, "suite": "bookworm", "variant": "minbase", "packages": PACKAGES, "hooks": HOOKS, "cmd": CMD}
# ------------------------------------------------------------------------------------------------


def recipe_hash() -> str:
    return hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()


def image_tag() -> str:
    return f"{IMAGE_REPO}:{recipe_hash()[:12]}"


def run(*args: str, check: bool = True, input: bytes | str | None = None, timeout: float = 600) -> str:
    text = not isinstance(input, bytes)
    proc = subprocess.run(list(args), capture_output=True, input=input, timeout=timeout, text=text)
    if check and proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode(errors="replace")
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({proc.returncode}): {err.strip()[-2000:]}")
    return proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode(errors="replace")


def podman(*args: str, **kw) -> str:
    return run("podman", *args, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_BUILT: set[str] = set()  # built by this process: a cold run builds each image once, not once per room


def build_image(force: bool = False) -> tuple[str, bool]:
    """The room's image, built only when no image carries the recipe's hash (or LABCTL_TEST_COLD is set:
    `scripts/test --cold`); returns (tag, built)."""
    tag = image_tag()
    force = force or (bool(os.environ.get("LABCTL_TEST_COLD")) and tag not in _BUILT)
    if not force:
        proc = subprocess.run(
            ["podman", "image", "inspect", "--format", '{{index .Labels "' + RECIPE_LABEL + '"}}', tag],
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0 and proc.stdout.strip() == recipe_hash():
            return tag, False
    with tempfile.TemporaryDirectory(prefix="labctl-room-build-") as tmp:
        rootfs = Path(tmp) / "rootfs.tar"
        cmd = [
            "mmdebstrap",
            "--variant=minbase",
            "--format=tar",
            "--skip=output/dev",
            "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
            f"--include={','.join(PACKAGES)}",
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            *[f"--customize-hook={h}" for h in HOOKS],
            *aptcache.mmdebstrap_args(),  # packages shared with the VM's disk, fetched once
            "bookworm",
            str(rootfs),
            f"deb {MIRROR} bookworm main",
            f"deb {MIRROR} bookworm-updates main",
            f"deb {SECURITY} bookworm-security main",
        ]
        run(*cmd, timeout=1200)
        podman(
            "import",
            "--change", f"CMD {json.dumps(CMD)}",
            "--change", f"LABEL {LABEL}=true",
            "--change", f"LABEL {RECIPE_LABEL}={recipe_hash()}",
            "--change", "ENV LANG=C.UTF-8",
            str(rootfs),
            tag,
        )  # fmt: skip
    _BUILT.add(tag)
    return tag, True


class Room:
    def __init__(self, state_dir: Path | str = DEFAULT_DIR, prefix: str = PREFIX):
        self.dir = Path(state_dir)
        self.prefix = prefix
        self.key = self.dir / "id_ed25519"
        self.inventory = self.dir / "room.ini"
        self._ssh_errors: dict[int, str] = {}  # machine → the last SSH failure wait_ssh saw

    # --- names ---
    def name(self, i: int) -> str:
        return f"{self.prefix}{i}"

    def volume(self, i: int) -> str:
        return f"{self.prefix}{i}-storage"

    @property
    def network(self) -> str:
        return f"{self.prefix}net"

    def _network(self) -> None:
        """The room's own network. Not Podman's default one: the Podman inside each machine puts its
        pods on 10.88.0.0/16 too, and a machine on that subnet then loses its own gateway and DNS (sudo
        and SSH stall) — as a real machine on a 10.88.x.x LAN would."""
        if subprocess.run(["podman", "network", "exists", self.network]).returncode == 0:
            return
        taken = set(podman("network", "ls", "--format", "{{range .Subnets}}{{.Subnet}} {{end}}").split())
        subnet = next(f"10.{k}.0.0/24" for k in range(201, 250) if f"10.{k}.0.0/24" not in taken)
        podman("network", "create", *self.labels(), "--subnet", subnet, self.network)

    def labels(self) -> list[str]:
        return ["--label", f"{LABEL}=true", "--label", f"{ROOM_LABEL}={self.prefix}"]

    def machines(self) -> list[int]:
        """The indexes of this room's machines that exist (running or not): labelled, named <prefix><i>."""
        out = podman("ps", "-a", "--filter", f"label={LABEL}=true", "--format", "{{.Names}}", check=False)
        n = len(self.prefix)
        return sorted(int(x[n:]) for x in out.split() if x.startswith(self.prefix) and x[n:].isdigit())

    def volumes(self) -> list[str]:
        out = podman("volume", "ls", "-q", "--filter", f"label={LABEL}=true", check=False)
        n = len(self.prefix)
        return [v for v in out.split() if v.startswith(self.prefix) and v[n:].removesuffix("-storage").isdigit()]

    def port(self, i: int) -> int:
        info = json.loads(podman("container", "inspect", self.name(i)))[0]
        bindings = (info.get("HostConfig") or {}).get("PortBindings") or {}
        return int(bindings["22/tcp"][0]["HostPort"])

    # --- up / down ---
    def up(self, n: int, load: list[str] | None = None, deadline: float = 90, become: bool = False) -> Path:
        """N machines running and reachable over SSH; writes and returns the inventory (with
        ansible_become=true in it when `become`, for a labctl without --become)."""
        tag, _ = build_image()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if not self.key.exists():
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "labctl-room", "-f", str(self.key))
        pub = (self.key.with_suffix(".pub")).read_text()
        existing = set(self.machines())
        self._network()
        for i in range(1, n + 1):
            if i not in existing:
                self._start_machine(i, tag, pub, volume=True)
        late = self.wait_ssh(range(1, n + 1), deadline, fail=False)
        if late:
            # Seen once in CI (all three machines, never here): say what was seen, make those machines
            # afresh once, and fail with the same account if they still do not answer.
            # A warning: pytest's summary shows it even when the room then comes up.
            warnings.warn(f"room: {self.diagnose(late, deadline)}; making them afresh", RuntimeWarning, stacklevel=2)
            podman("rm", "-f", "-t", "0", *(self.name(i) for i in late), check=False)
            for i in late:
                self._start_machine(i, tag, pub)
            self.wait_ssh(late, deadline)
        self.write_inventory(range(1, n + 1), become=become)
        if load:
            self.load_images(load, range(1, n + 1))
        return self.inventory

    def _start_machine(self, i: int, tag: str, pub: str, volume: bool = False) -> None:
        """Machine i started from the room's image: its store's volume (when asked), the admin's key, the
        suite's apt cache, its host key recorded."""
        if volume:
            podman("volume", "create", *self.labels(), self.volume(i))
        podman(
            "run", "-d", "--name", self.name(i), "--hostname", f"m{i}", "--privileged",
            # /run is fresh at every start, as after a reboot: a machine that was stopped mid-run comes
            # back without the stale network namespaces and runtime state that stop its Podman.
            "--tmpfs", "/run:rw,exec,suid,dev,mode=755",
            "--network", self.network,
            *self.labels(),
            "-v", f"{self.volume(i)}:/var/lib/containers",
            # The suite's apt cache: this host's downloaded packages, offered to the machine's apt (see seed_apt).
            *(["-v", f"{HOST_DEBS}:{MACHINE_DEBS}:ro"] if Path(HOST_DEBS).is_dir() else []),
            "-p", f"127.0.0.1:{free_port()}:22",
            tag,
        )  # fmt: skip
        self._authorize(i, pub)
        self.seed_apt(i)
        self.record_host_key(i)

    def _authorize(self, i: int, pub: str) -> None:
        script = (
            f"install -d -m 700 -o {USER} -g {USER} /home/{USER}/.ssh && "
            f"cat > /home/{USER}/.ssh/authorized_keys && "
            f"chown {USER}:{USER} /home/{USER}/.ssh/authorized_keys && chmod 600 /home/{USER}/.ssh/authorized_keys"
        )
        podman("exec", "-i", self.name(i), "sh", "-c", script, input=pub)

    def seed_apt(self, i: int) -> None:
        """Offer machine i's apt the packages this host has downloaded already (its /var/cache/apt/archives,
        read-only in the machine): links in the machine's own archive folder, which apt takes instead of a
        download when name, size and checksum match. The machine still runs `apt-get update` and installs
        everything itself, as behind a room's caching proxy; only the same bytes are not fetched again."""
        script = (
            f"[ -d {MACHINE_DEBS} ] || exit 0; mkdir -p /var/cache/apt/archives && "
            f"find {MACHINE_DEBS} -maxdepth 1 -name '*.deb' -exec ln -sft /var/cache/apt/archives/ {{}} +"
        )
        podman("exec", self.name(i), "sh", "-c", script)

    @property
    def known_hosts(self) -> Path:
        return self.dir / "known_hosts"

    def record_host_key(self, i: int) -> None:
        """Machine i's host key, read from the machine itself (not over the network), into the room's
        known_hosts: every SSH of the room checks it (host-key checking is never off)."""
        pub = podman("exec", self.name(i), "cat", "/etc/ssh/ssh_host_ed25519_key.pub").split()
        entry = f"[127.0.0.1]:{self.port(i)} {pub[0]} {pub[1]}"
        lines = [
            ln
            for ln in (self.known_hosts.read_text().splitlines() if self.known_hosts.exists() else [])
            if not ln.startswith(f"[127.0.0.1]:{self.port(i)} ")
        ]
        self.known_hosts.write_text("\n".join([*lines, entry]) + "\n")

    def allow_password_only(self, i: int, password: str) -> None:
        """Machine i as a fresh room machine that takes only a password: the admin's key goes, sshd asks."""
        script = (
            f"echo '{USER}:{password}' | chpasswd && mv /home/{USER}/.ssh/authorized_keys /home/{USER}/.ssh/keys.off"
            " && printf 'PasswordAuthentication yes\\nPermitRootLogin no\\nUseDNS no\\n' "
            "> /etc/ssh/sshd_config.d/room.conf && kill -HUP 1"
        )
        podman("exec", self.name(i), "sh", "-c", script)

    def allow_keys_again(self, i: int) -> None:
        script = (
            f"mv /home/{USER}/.ssh/keys.off /home/{USER}/.ssh/authorized_keys && usermod -p '*' {USER}"
            " && printf 'PasswordAuthentication no\\nPermitRootLogin no\\nUseDNS no\\n' "
            "> /etc/ssh/sshd_config.d/room.conf && kill -HUP 1"
        )
        podman("exec", self.name(i), "sh", "-c", script)

    def as_student(self, i: int, student: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
        """A command as one of machine i's students, the way they work: a login shell of their own
        (through the admin's sudo -i: the students have no SSH login in the room)."""
        return self.ssh(i, f"sudo -i -u {student} sh -c {shlex.quote(command)}", check=check)

    def ssh_args(self, i: int) -> list[str]:
        return [
            "ssh", "-i", str(self.key), "-p", str(self.port(i)),
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "LogLevel=ERROR", f"{USER}@127.0.0.1",
        ]  # fmt: skip

    def ssh(self, i: int, command: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self.ssh_args(i), command], capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(f"ssh m{i} {command!r} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc

    def wait_ssh(self, machines, deadline: float = 90, fail: bool = True) -> list[int]:
        """Poll each machine's sshd (a real login) until it answers or the deadline passes; returns the
        machines that did not answer (or raises with what was seen of them, when `fail`)."""
        end = time.monotonic() + deadline
        pending = list(machines)
        self._ssh_errors = {}
        while pending:
            still = []
            for i in pending:
                try:
                    proc = self.ssh(i, "true", check=False, timeout=10)
                    if proc.returncode != 0:
                        self._ssh_errors[i] = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
                        still.append(i)
                except subprocess.TimeoutExpired:
                    self._ssh_errors[i] = "no answer within 10 s"
                    still.append(i)
            pending = still
            if not pending:
                return []
            if time.monotonic() > end:
                if fail:
                    raise RuntimeError(self.diagnose(pending, deadline))
                return pending
            time.sleep(0.3)
        return []

    def diagnose(self, machines, deadline: float = 90) -> str:
        """What was seen of machines that did not answer over SSH: their state, the last SSH error, sshd's
        last words."""
        seen = []
        for i in machines:
            state = podman(
                "container",
                "inspect",
                "--format",
                "{{.State.Status}} (exit {{.State.ExitCode}})",
                self.name(i),
                check=False,
            ).strip()
            logs = subprocess.run(
                ["podman", "logs", "--tail", "5", self.name(i)], capture_output=True, text=True, check=False
            )
            said = (logs.stdout + logs.stderr).strip().replace("\n", " | ")[-400:]
            seen.append(f"m{i} is {state or 'gone'}, ssh said {self._ssh_errors.get(i, 'nothing')!r}, sshd: {said!r}")
        return f"machines {list(machines)} did not answer over SSH within {deadline:.0f} s: " + "; ".join(seen)

    def write_inventory(self, machines, become: bool = False) -> Path:
        # ansible_ssh_args: labctl's own (one connection kept open), without -C. These machines are on
        # this host's loopback: compressing the image archives labctl copies to them (hundreds of MB)
        # only costs CPU, as it would on a wired LAN.
        ssh_args = " ".join(arg for arg in SSH_ARGS.split() if arg != "-C")
        lines = ["[room]"]
        for i in machines:
            lines.append(
                f"m{i} ansible_host=127.0.0.1 ansible_port={self.port(i)} ansible_user={USER} "
                f"ansible_ssh_private_key_file={self.key} ansible_python_interpreter=/usr/bin/python3 "
                f"ansible_ssh_common_args='-o UserKnownHostsFile={self.known_hosts}' "
                f"ansible_ssh_args='{ssh_args}'" + (" ansible_become=true" if become else "")
            )
        self.inventory.write_text("\n".join(lines) + "\n")
        return self.inventory

    def down(self) -> None:
        """Remove every machine, volume, key and the inventory of this room; a no-op when there is none."""
        names = [self.name(i) for i in self.machines()]
        if names:
            podman("rm", "-f", "-t", "0", *names, check=False)
        vols = self.volumes()
        if vols:
            podman("volume", "rm", "-f", *vols, check=False)
        podman("network", "rm", "-f", self.network, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- faults ---
    def stop(self, i: int) -> None:
        podman("stop", "-t", "0", self.name(i))

    def start(self, i: int, deadline: float = 60) -> None:
        podman("start", self.name(i))
        self.wait_ssh([i], deadline)

    def refuse_sudo(self, i: int) -> None:
        """sudo on machine i now asks for a password that no one has: become fails there."""
        podman("exec", self.name(i), "mv", f"/etc/sudoers.d/{USER}", f"/root/sudoers.{USER}")

    def allow_sudo(self, i: int) -> None:
        podman("exec", self.name(i), "mv", f"/root/sudoers.{USER}", f"/etc/sudoers.d/{USER}")

    # --- inside a machine ---
    def podman(self, i: int, *args: str, check: bool = True, input=None) -> str:
        """Podman inside machine i (as its root)."""
        return podman("exec", "-i", self.name(i), "podman", *args, check=check, input=input)

    def load_images(self, images: list[str], machines=None) -> None:
        """Stand-in until labctl copies images: save them here once, load them into each machine's Podman."""
        machines = list(machines or self.machines())
        archive = self.dir / "images.tar"
        archive.unlink(missing_ok=True)
        podman("save", "--multi-image-archive", "-o", str(archive), *images)
        try:

            def load(i: int) -> None:
                with archive.open("rb") as fh:
                    proc = subprocess.run(
                        ["podman", "exec", "-i", self.name(i), "podman", "load"], stdin=fh, capture_output=True
                    )
                if proc.returncode != 0:
                    raise RuntimeError(f"loading images into m{i} failed: {proc.stderr.decode(errors='replace')}")

            with concurrent.futures.ThreadPoolExecutor(max_workers=len(machines) or 1) as pool:
                list(pool.map(load, machines))
        finally:
            archive.unlink(missing_ok=True)

    def status(self) -> list[str]:
        out = []
        for i in self.machines():
            state = podman("container", "inspect", "--format", "{{.State.Status}}", self.name(i)).strip()
            out.append(f"m{i} {self.name(i)} {state} ssh 127.0.0.1:{self.port(i)}")
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    p_up = sub.add_parser("up")
    p_up.add_argument("n", type=int)
    p_up.add_argument("--load", nargs="*", default=[], metavar="IMAGE")
    p_up.add_argument("--become", action="store_true", help="write ansible_become=true into the inventory")
    sub.add_parser("down")
    sub.add_parser("inventory")
    sub.add_parser("status")
    sub.add_parser("build").add_argument("--force", action="store_true")
    sub.add_parser("load").add_argument("images", nargs="+")
    args = parser.parse_args(argv)
    room = Room()
    t0 = time.monotonic()
    if args.verb == "up":
        print(room.up(args.n, load=args.load, become=args.become))
    elif args.verb == "down":
        room.down()
    elif args.verb == "inventory":
        print(room.inventory)
    elif args.verb == "status":
        print("\n".join(room.status()) or "no machines")
    elif args.verb == "build":
        tag, built = build_image(force=args.force)
        print(tag, "built" if built else "cached")
    elif args.verb == "load":
        room.load_images(args.images)
    print(f"{args.verb}: {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
