#!/usr/bin/env python3
"""A throw-away Debian 12 VM with systemd on a pure cgroup v2 hierarchy, for labctl's tests.

    python tests/vm/vm.py build              # build (or find cached) the disk, print its folder
    python tests/vm/vm.py up [--run DIR]     # boot it, wait for SSH, write DIR/vm.ini (default /tmp/labctl-vm)
    python tests/vm/vm.py inventory [--run DIR] [--user student]   # print the inventory's path
    python tests/vm/vm.py ssh [--run DIR] [--user root] [CMD...]   # a shell or a command in the VM
    python tests/vm/vm.py down [--run DIR]   # stop qemu (by its pidfile) and remove DIR
    python tests/vm/vm.py cycle              # the five exercises, root and rootless (see tests/vm/README.md)

Everything comes from Debian's packages: mmdebstrap builds the root filesystem (systemd, sshd, Python,
Podman with crun), `mkfs.ext4 -d` makes it a sparse raw disk, and qemu boots it (TCG: KVM guests hang
on these machines) with the host's Debian cloud kernel and initrd, `-snapshot` keeping the disk
pristine. The disk is cached by a sha256 of its recipe (packages, this file's text, kernel version)
under ${XDG_CACHE_HOME:-~/.cache}/labctl-tests/vm/<hash>/.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import inspect
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

if __package__:
    from tests import aptcache
else:  # run as a script: tests/vm/vm.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests import aptcache

HERE = Path(__file__).resolve()
SUITE = "bookworm"
MIRRORS = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
PACKAGES = [
    # a systemd machine reachable by SSH, with what Ansible needs
    "systemd",
    "systemd-sysv",
    "udev",
    "kmod",
    "dbus",
    "dbus-user-session",
    "libpam-systemd",
    "openssh-server",
    "python3",
    "sudo",
    "iproute2",
    "curl",
    "ca-certificates",
    "netbase",
    "procps",
    # Podman preinstalled to keep CI fast (installing it through the host role is covered elsewhere)
    "podman",
    "crun",
    "catatonit",
    "uidmap",
    "slirp4netns",
    "fuse-overlayfs",
    "netavark",
    "aardvark-dns",
    "iptables",
    # What the host role installs where missing (setfacl for a lab user, and python3-apt, which Ansible's
    # package module needs): installing them is proven on the room's machines (tests/room); under TCG
    # apt's package lists alone took over 3 minutes of every run's host setup here.
    "acl",
    "python3-apt",
]
# Timers and services that only cost time on a throw-away machine.
MASKED = [
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
    "man-db.timer",
    "e2scrub_all.timer",
    "e2scrub_reap.service",
    "fstrim.timer",
    "systemd-networkd-wait-online.service",
]
# Normal users, each with a key and a subordinate id range; none has sudo (root's key is for --become).
USERS = {"student": 1000, "student2": 1001}
DISK_SIZE = "8G"
# Images put into root's store at build time, from this host's store (its stand-ins): loading them into
# the VM costs minutes under TCG (podman load is CPU-bound there), on this host seconds. The disk's hash
# covers their image IDs. A rootless user's store is loaded at run time (load_images): its files belong
# to the user's subordinate ids.
PRELOAD = [
    "docker.io/library/alpine:latest",
    "docker.io/library/nginx:alpine",
    "docker.io/library/nginx:1.25-alpine",
    "docker.io/library/mysql:8.0",
    "docker.io/library/python:3.12-slim",
    # ex3's own images, as labctl builds them here: on the VM labctl finds them current (their context's
    # hash in their label) and neither copies nor builds them; a TCG guest copies at ~4 MB/s.
    "localhost/my-text-api:latest",
    "localhost/my-text-frontend:latest",
]
HOST_PACKAGES = ["qemu-system-x86", "linux-image-cloud-amd64", "mmdebstrap", "openssh-client"]
DEFAULT_RUN = Path("/tmp/labctl-vm")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "labctl-tests" / "vm"


def log(msg: str) -> None:
    print(f"[vm] {msg}", file=sys.stderr, flush=True)


def kernel() -> tuple[str, Path, Path]:
    """The newest Debian cloud kernel installed on this host: (version, vmlinuz, initrd)."""
    found = sorted(Path("/boot").glob("vmlinuz-*-cloud-amd64"))
    if not found:
        raise SystemExit(f"no /boot/vmlinuz-*-cloud-amd64: apt-get install {' '.join(HOST_PACKAGES)}")
    vmlinuz = found[-1]
    kver = vmlinuz.name.removeprefix("vmlinuz-")
    initrd = Path(f"/boot/initrd.img-{kver}")
    if not initrd.exists() or not Path(f"/usr/lib/modules/{kver}").is_dir():
        raise SystemExit(f"{initrd} or /usr/lib/modules/{kver} missing: apt-get install --reinstall linux-image-{kver}")
    return kver, vmlinuz, initrd


def image_keys(images: list[str]) -> list[str]:
    """What decides each preloaded image's content, for the disk's hash: its recipe, never its ID where
    it has one (a test before may rebuild an image from the same recipe under a new ID) — a look-alike's
    recipe hash, a built image's context hash (lab_build's label); a pulled image's ID otherwise."""
    proc = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Id}} {{json .Labels}}", *images],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the VM preloads {', '.join(images)} from this host's store: {proc.stderr.strip()}")
    keys = []
    for line in proc.stdout.splitlines():
        image_id, _, labels = line.partition(" ")
        found = json.loads(labels or "null") or {}
        keys.append(found.get("io.labctl.lookalike.recipe") or found.get("io.labctl.context") or image_id)
    return keys


def recipe_hash(kver: str) -> str:
    h = hashlib.sha256()
    h.update(" ".join(PRELOAD + image_keys(PRELOAD)).encode())
    # The recipe's own text (not the whole file: booting and the CLI do not change the disk).
    recipe = inspect.getsource(_customize) + inspect.getsource(_preload) + inspect.getsource(build)
    for part in (SUITE, *MIRRORS, *PACKAGES, *MASKED, repr(sorted(USERS.items())), DISK_SIZE, kver, recipe):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def _run(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, **kw)


def _customize(root: Path, kver: str, keydir: Path) -> None:
    """Make the root filesystem a bootable, reachable machine (run on the unpacked tree, as root)."""
    (root / "etc/hostname").write_text("labvm\n")
    (root / "etc/hosts").write_text("127.0.0.1 localhost\n127.0.1.1 labvm\n")
    (root / "etc/fstab").write_text("/dev/vda / ext4 rw,errors=remount-ro 0 1\n")
    (root / "etc/systemd/network").mkdir(parents=True, exist_ok=True)
    (root / "etc/systemd/network/20-dhcp.network").write_text("[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n")
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    resolv.write_text("nameserver 10.0.2.3\n")
    _run(
        "chroot",
        str(root),
        "systemctl",
        "enable",
        "systemd-networkd",
        "ssh",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _run("chroot", str(root), "systemctl", "mask", *MASKED, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The kernel's modules (overlay, netfilter, veth, …): the initrd holds only what boots.
    (root / "usr/lib/modules").mkdir(parents=True, exist_ok=True)
    shutil.copytree(f"/usr/lib/modules/{kver}", root / f"usr/lib/modules/{kver}", symlinks=True)
    _run("chroot", str(root), "depmod", kver)
    # Keys: one pair for every account (a test machine).
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "labctl-vm", "-f", str(keydir / "id_ed25519"))
    pub = (keydir / "id_ed25519.pub").read_text()
    ssh = root / "root/.ssh"
    ssh.mkdir(mode=0o700, exist_ok=True)
    (ssh / "authorized_keys").write_text(pub)
    subuid = []
    for i, (user, uid) in enumerate(USERS.items()):
        _run("chroot", str(root), "useradd", "-m", "-s", "/bin/bash", "-u", str(uid), "-U", user)
        home = root / "home" / user
        (home / ".ssh").mkdir(mode=0o700)
        (home / ".ssh/authorized_keys").write_text(pub)
        _run("chroot", str(root), "chown", "-R", f"{user}:{user}", f"/home/{user}/.ssh")
        subuid.append(f"{user}:{100000 + i * 65536}:65536\n")
    (root / "etc/subuid").write_text("".join(subuid))
    (root / "etc/subgid").write_text("".join(subuid))
    # SSH answers quicker without DNS look-ups of the client.
    (root / "etc/ssh/sshd_config.d/labctl-vm.conf").write_text("UseDNS no\nPermitRootLogin prohibit-password\n")


def _preload(root: Path, work: Path) -> None:
    """Root's images, loaded on this host into the VM's store (its storage driver: overlay)."""
    graph = root / "var/lib/containers/storage"
    runroot = tempfile.mkdtemp(prefix="lvm-")  # Podman wants a short runroot (at most 50 characters)
    try:
        _run("podman", "save", "-q", "-m", "-o", str(work / "images.tar"), *PRELOAD)
        _run(
            "podman",
            "--root",
            str(graph),
            "--runroot",
            runroot,
            "--storage-driver",
            "overlay",
            "load",
            "-q",
            "-i",
            str(work / "images.tar"),
            stdout=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(runroot, ignore_errors=True)
        (work / "images.tar").unlink(missing_ok=True)
    # libpod's database remembers the store's path here; Podman makes a new one in the VM.
    shutil.rmtree(graph / "libpod", ignore_errors=True)


_BUILT: set[Path] = set()


def build(force: bool = False) -> Path:
    """The disk's folder (disk.raw, id_ed25519, kver): from the cache when the recipe's hash matches."""
    kver, _, _ = kernel()
    final = cache_root() / recipe_hash(kver)
    # scripts/test --cold: no cache (once per process: the same run uses the disk it built)
    force = force or (bool(os.environ.get("LABCTL_TEST_COLD")) and final not in _BUILT)
    if (final / "disk.raw").exists() and not force:
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f".build-{final.name}-", dir=final.parent))
    try:
        root = work / "rootfs"
        log(f"building the VM disk {final.name} (mmdebstrap, {len(PACKAGES)} packages)")
        _run(
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            *aptcache.mmdebstrap_args(),  # packages shared with the room's image, fetched once
            SUITE,
            str(root),
            *MIRRORS,
        )
        _customize(root, kver, work)
        _preload(root, work)
        (work / "kver").write_text(kver + "\n")
        # Apt's lists and caches are of no use inside the VM.
        for junk in ("var/lib/apt/lists", "var/cache/apt"):
            shutil.rmtree(root / junk, ignore_errors=True)
        _run("truncate", "-s", DISK_SIZE, str(work / "disk.raw"))
        _run("mkfs.ext4", "-q", "-F", "-L", "labvm", "-d", str(root), str(work / "disk.raw"))
        shutil.rmtree(root)
        if force and final.exists():
            shutil.rmtree(final)
        os.rename(work, final)  # atomic: a reader sees no disk or a complete one
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _BUILT.add(final)
    log(f"built in {time.monotonic() - start:.1f} s: {final}")
    # Disks of other recipes only take space, once no VM can still be running from them (its key is there).
    for old in final.parent.iterdir():
        if old != final and time.time() - old.stat().st_mtime > 2 * 86400:
            shutil.rmtree(old, ignore_errors=True)
    return final


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SSH_OPTS = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=10",
]


@dataclass
class VM:
    run: Path  # the running VM's folder: pid, port, console.log, inventories
    disk: Path  # the disk's folder (cache)

    @property
    def key(self) -> Path:
        return self.disk / "id_ed25519"

    @property
    def port(self) -> int:
        return int((self.run / "port").read_text())

    def inventory(self, user: str = "root") -> Path:
        return self.run / ("vm.ini" if user == "root" else f"vm-{user}.ini")

    def ssh_argv(self, user: str = "root") -> list[str]:
        return ["ssh", *SSH_OPTS, "-i", str(self.key), "-p", str(self.port), f"{user}@127.0.0.1"]

    def ssh(
        self, command: str, user: str = "root", check: bool = True, timeout: float = 600, **kw
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.ssh_argv(user), command], check=check, timeout=timeout, text=True, capture_output=True, **kw
        )

    def pid(self) -> int | None:
        try:
            pid = int((self.run / "qemu.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid


def _write_inventories(vm: VM, key: Path | None = None) -> None:
    common = (
        "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "
        "-o ControlMaster=auto -o ControlPersist=120s"
    )
    for user in ("root", *USERS):
        vm.inventory(user).write_text(
            "[lab]\n"
            f"vm ansible_host=127.0.0.1 ansible_port={vm.port} ansible_user={user} "
            f"ansible_ssh_private_key_file={key or vm.key} ansible_python_interpreter=/usr/bin/python3 "
            f"ansible_ssh_common_args='{common}' ansible_ssh_pipelining=true\n"
        )


def up(run: Path = DEFAULT_RUN, timeout: float = 300, disk: Path | None = None) -> VM:
    """Boot the VM, wait for SSH (with a deadline), write the inventories. Stops qemu on any failure.
    `disk`: a disk folder build() made before (then this host's images are not looked at again)."""
    disk = disk or build()
    _, vmlinuz, initrd = kernel()
    if run.exists():
        stale = VM(run, disk)
        if stale.pid():
            raise SystemExit(f"a VM already runs from {run} (pid {stale.pid()}): `vm.py down --run {run}` first")
        shutil.rmtree(run)
    run.mkdir(parents=True)
    vm = VM(run, disk)
    port = free_port()
    (run / "port").write_text(str(port))
    (run / "disk").write_text(str(disk))
    start = time.monotonic()
    try:
        _run(
            "qemu-system-x86_64",
            "-name",
            "labctl-vm",
            "-accel",
            "tcg,thread=multi",
            "-cpu",
            "max",
            "-m",
            "4096",
            "-smp",
            "2",
            "-kernel",
            str(vmlinuz),
            "-initrd",
            str(initrd),
            "-append",
            "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 quiet",
            "-drive",
            f"file={disk / 'disk.raw'},format=raw,if=virtio",
            "-snapshot",
            "-netdev",
            f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:22",
            "-device",
            "virtio-net-pci,netdev=n0",
            "-display",
            "none",
            "-serial",
            f"file:{run / 'console.log'}",
            "-monitor",
            "none",
            "-daemonize",
            "-pidfile",
            str(run / "qemu.pid"),
        )
        deadline = start + timeout
        while True:
            if vm.pid() is None:
                raise RuntimeError(f"qemu ended while booting; see {run / 'console.log'}")
            probe = subprocess.run(
                [*vm.ssh_argv(), "systemctl is-system-running --wait >/dev/null; true"],
                capture_output=True,
                timeout=120,
            )
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no SSH on port {port} after {timeout:.0f} s; see {run / 'console.log'}")
            time.sleep(1)
        _write_inventories(vm)
    except BaseException:
        down(vm)
        raise
    (run / "boot_seconds").write_text(f"{time.monotonic() - start:.1f}\n")
    log(f"up in {time.monotonic() - start:.1f} s on port {port}: {vm.inventory()}")
    return vm


def hand_to(vm: VM, account: str) -> None:
    """Let a normal account of this host drive the VM (labctl run by a trainer's own account, not root):
    its own copy of the key, and inventories that name that copy."""
    entry = pwd.getpwnam(account)
    key = vm.run / "controller_ed25519"
    shutil.copyfile(vm.key, key)
    os.chown(key, entry.pw_uid, entry.pw_gid)
    key.chmod(0o600)
    _write_inventories(vm, key)
    vm.run.chmod(0o755)  # the inventories are readable; the key only by its account


def down(vm: VM, remove: bool = True) -> None:
    """Stop qemu by its pidfile (TERM, then KILL) and remove the run folder."""
    pid = vm.pid()
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if vm.pid() is None:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    if remove:
        shutil.rmtree(vm.run, ignore_errors=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def load_images(vm: VM, images: list[str], users: tuple[str, ...] = ("root", "student")) -> None:
    """Copy images from this host's Podman store into the VM's, for root and each user: what is missing only.

    A stand-in for labctl copying images to the machines itself (one function, easy to swap). The archive
    goes over plain HTTP from a server on this host's loopback, which the VM reaches as 10.0.2.2 (qemu's
    user networking): about three times faster than through SSH, whose ciphers are slow under TCG.
    """
    for user in users:
        have = set(vm.ssh("podman images --format '{{.Repository}}:{{.Tag}}'", user=user).stdout.split())
        missing = [i for i in images if i not in have]
        if not missing:
            continue
        with tempfile.TemporaryDirectory(prefix="labctl-vm-images-") as tmp:
            _run("podman", "save", "-q", "-m", "-o", f"{tmp}/images.tar", *missing)
            os.chmod(tmp, 0o755)
            handler = functools.partial(_QuietHandler, directory=tmp)
            with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
                thread = threading.Thread(target=server.serve_forever, daemon=True)
                thread.start()
                try:
                    port = server.server_address[1]
                    vm.ssh(
                        f"curl -sf http://10.0.2.2:{port}/images.tar | podman load -q >/dev/null",
                        user=user,
                        timeout=900,
                    )
                finally:
                    server.shutdown()
                    thread.join()


def running(run: Path) -> VM:
    """The VM `up` started from this folder."""
    try:
        return VM(run, Path((run / "disk").read_text()))
    except OSError:
        raise SystemExit(f"no VM was started from {run}") from None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("verb", choices=["build", "up", "down", "inventory", "ssh", "cycle"])
    p.add_argument("--run", type=Path, default=DEFAULT_RUN, help="the running VM's folder")
    p.add_argument("--user", default="root")
    p.add_argument("--force", action="store_true", help="build: rebuild even when cached")
    argv = sys.argv[1:] if argv is None else argv
    rest = argv[argv.index("--") + 1 :] if "--" in argv else []
    a = p.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    a.rest = rest  # ssh: the command; cycle: its options (after --)
    if a.verb == "build":
        print(build(force=a.force))
    elif a.verb == "up":
        print(up(a.run).inventory())
    elif a.verb == "down":
        down(running(a.run))
    elif a.verb == "inventory":
        print(running(a.run).inventory(a.user))
    elif a.verb == "ssh":
        vm = running(a.run)
        os.execvp("ssh", [*vm.ssh_argv(a.user), *a.rest])
    elif a.verb == "cycle":
        from tests.vm import cycle

        return cycle.main(a.rest)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    sys.exit(main())
