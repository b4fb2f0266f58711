"""First contact with a room: the machines' SSH host keys, shown as fingerprints and recorded in the
controller user's known_hosts on the trainer's word (`labctl host keys -i room.ini`). Host key checking
stays on: a key that differs from the one recorded is never replaced here (that is what it guards against).

Pure functions over ssh-keyscan's output and a known_hosts text; the keys are fetched by Ansible
(playbooks/host_keys.yml), one machine after another as its forks allow."""

import base64
import hashlib
import hmac
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa")


@dataclass(frozen=True)
class HostKey:
    host: str  # as known_hosts names it: name, or [name]:port
    kind: str
    key: str  # base64

    @property
    def line(self) -> str:
        return f"{self.host} {self.kind} {self.key}"


def host_field(address: str, port: int | str = 22) -> str:
    """How known_hosts names a machine: `address`, or `[address]:port` off port 22."""
    return address if str(port) == "22" else f"[{address}]:{port}"


def parse_keyscan(text: str) -> list[HostKey]:
    """The keys of ssh-keyscan's output (comments and unknown key types left out), in its order."""
    keys = []
    for raw in (text or "").splitlines():
        parts = raw.split()
        if len(parts) < 3 or raw.startswith("#") or parts[1] not in KEY_TYPES:
            continue
        try:
            base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        keys.append(HostKey(parts[0], parts[1], parts[2]))
    return keys


def fingerprint(key: str) -> str:
    """OpenSSH's SHA256 fingerprint of a key (what `ssh-keygen -lf` and ssh's first-contact question show)."""
    digest = hashlib.sha256(base64.b64decode(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def merge(known: str, keys: list[HostKey]) -> tuple[list[HostKey], list[HostKey]]:
    """(keys to add, keys that differ from the recorded ones). A machine already known with the same key
    needs nothing; a machine known with another key of the same type is a conflict (never replaced)."""
    recorded: dict[tuple[str, str], set[str]] = {}
    hashed: list[tuple[bytes, bytes, str, str]] = []  # (salt, digest, type, key) of `|1|salt|digest` names
    for raw in (known or "").splitlines():
        parts = raw.split()
        if len(parts) < 3 or raw.startswith("#") or raw.startswith("@"):
            continue  # markers (@cert-authority, @revoked) are ssh's own business
        for name in parts[0].split(","):
            if name.startswith("|"):
                salted = _hashed_name(name)
                if salted:
                    hashed.append((*salted, parts[1], parts[2]))
                continue
            recorded.setdefault((name, parts[1]), set()).add(parts[2])
    for key in keys:  # a hashed name (HashKnownHosts, Debian's default) counts once its hash matches
        for salt, digest, kind, blob in hashed:
            if kind == key.kind and hmac.compare_digest(hmac.new(salt, key.host.encode(), "sha1").digest(), digest):
                recorded.setdefault((key.host, kind), set()).add(blob)
    add, conflicts = [], []
    for key in keys:
        have = recorded.get((key.host, key.kind))
        if have is None:
            add.append(key)
            recorded[(key.host, key.kind)] = {key.key}  # two hosts on one address: its keys once
        elif key.key not in have:
            conflicts.append(key)
    return add, conflicts


def _hashed_name(name: str) -> tuple[bytes, bytes] | None:
    """(salt, HMAC-SHA1 digest) of a hashed known_hosts name `|1|salt|digest`, None when it is not one."""
    parts = name.split("|")
    if len(parts) != 4 or parts[1] != "1":
        return None
    try:
        return base64.b64decode(parts[2], validate=True), base64.b64decode(parts[3], validate=True)
    except ValueError:
        return None


def record(path: Path, keys: list[HostKey]) -> None:
    """Append the keys to the known_hosts file, atomically (a new file in its folder, renamed over it).
    A known_hosts that is a link (to a shared or managed file) stays a link: the file it names is written."""
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = old + ("" if not old or old.endswith("\n") else "\n") + "".join(k.line + "\n" for k in keys)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".known_hosts.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644 if not path.exists() else path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
