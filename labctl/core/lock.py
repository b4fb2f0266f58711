"""One labctl run at a time per Podman store, and the processes a run leaves.

Root's Podman store is the machine's, a normal user's is their own: each has one lock file, held
with flock(2) for the whole run, so the kernel releases it when its holder dies however it dies.

The lock file records who holds it, as one JSON object, so that whoever waits can say for whom
(and a lock task on a remote machine can write the same record):

    {"pid": 1234, "user": "root", "host": "pc7", "command": "labctl up ex2",
     "since": "2025-11-26T10:02:03+01:00", "child_pid": 1240, "child_start": 8812345}

child_pid is the ansible-playbook process the holder started (child_start its start time in clock
ticks since boot, against reuse of the PID). A holder that ends cleanly empties the file; a record
found by the next holder is therefore a holder that died, whose ansible-playbook may still run.
"""

import contextlib
import fcntl
import json
import os
import pwd
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import as_user, boundary
from ansible_collections.labctl.lab.plugins.module_utils import lease as leases

from labctl.core import i18n
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.paths import store_dir

# Seconds a run waits for another controller's run on a machine (within Ansible's task time-out).
LEASE_WAIT = 840
ORPHAN_WAIT = 60.0  # seconds to let a dead holder's ansible-playbook finish before stopping it

Say = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def lock_path() -> Path:
    """The lock of the Podman store this account's labctl works on: root's /var/lib/labctl/run.lock, a
    user's in their own state folder (from the password database: a login, cron and `sudo -u` agree)."""
    return store_dir() / "run.lock"


def command_line(argv: list[str] | None = None) -> str:
    """This labctl's command line as a user would recognise it, --var values hidden (they may be passwords)."""
    words, hide_next = ["labctl"], False
    for arg in sys.argv[1:] if argv is None else argv:
        if hide_next or arg.startswith("--var="):
            arg = arg.split("=", 1)[0] + ("=…" if hide_next else "=" + arg.split("=", 2)[1] + "=…")
        hide_next = arg == "--var"
        words.append(arg)
    return " ".join(words)


def _new_identity() -> dict[str, Any]:
    """This run as its lock and lease name it: the controller (a name, and its machine and boot), the
    uid, PID and start time of this labctl process, what it runs. `refreshes`: labctl refreshes the
    lease while the run lives."""
    try:
        machine = Path("/etc/machine-id").read_text().strip()[:8]
    except OSError:
        machine = ""
    return {
        "id": uuid.uuid4().hex,
        "controller": socket.gethostname() + (f" ({machine})" if machine else ""),
        "machine": leases.machine_id(),
        "uid": os.geteuid(),
        "user": _user(),
        "pid": os.getpid(),
        "pid_start": start_time(os.getpid()),
        "command": command_line(),
        "refreshes": True,
    }


def run_identity(wait: bool) -> dict[str, object]:
    """This run, as the lease it takes on every machine it touches names it (labctl.lab.run_lease):
    the identity of the lock held now (its lease has the same id), else a new one."""
    identity = _held.identity if _held is not None else _new_identity()
    return {**identity, "wait": LEASE_WAIT if wait else 0}


# --- processes -------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgid, start time) of a process, None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def start_time(pid: int) -> int | None:
    stat = _stat(pid)
    return stat[3] if stat else None


def alive(pid: int) -> bool:
    return _stat(pid) is not None


def is_ansible_playbook(pid: int, started: int | None = None) -> bool:
    """Whether pid is (still) an ansible-playbook process, started at `started` when given."""
    stat = _stat(pid)
    if not stat or (started is not None and stat[3] != started):
        return False
    try:
        return b"ansible-playbook" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            parents[int(entry)] = stat[1]
    return parents


def children(pid: int) -> list[int]:
    return [child for child, parent in _parents().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    parents = _parents()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found += kids
        todo += kids
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def stop_tree(
    pid: int,
    grace: float = 3.0,
    deadline: float = 10.0,
    let_finish: frozenset[str] = frozenset({"podman"}),
    finish_within: float = 30.0,
) -> list[int]:
    """Stop a process and everything under it, also in other sessions (Ansible's workers call setsid).

    SIGTERM first, SIGKILL after `grace` seconds; returns the PIDs still there after `deadline`.
    Processes that left the tree before (a daemonised conmon) are not touched. Commands named in
    `let_finish` (podman: killed half-way, it can leave a pod's infra container created but not
    started, which the next `podman pod start` cannot start) and what they run are given up to
    `finish_within` seconds to end on their own before they are stopped too.
    """
    pids = [pid, *descendants(pid)]
    spared = {p for p in pids if _comm(p) in let_finish}
    spared |= {d for p in spared for d in descendants(p)}
    left = _stop([p for p in pids if p not in spared], grace, deadline, spared)
    if spared:
        until = time.monotonic() + finish_within
        while time.monotonic() < until and any(alive(p) for p in spared):
            time.sleep(0.05)
        left += _stop([p for p in spared if alive(p)], grace, deadline, set())
    return left


def processes_naming(mark: str) -> list[int]:
    """The processes (this one aside) whose command line contains `mark`: a run's ansible-playbook and
    every worker it forked carry the run's folder in their arguments."""
    found, me, wanted, uid = [], os.getpid(), mark.encode(), os.geteuid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            # Only this account's: a process of someone else's that names the folder is not ours to stop
            # (a student may start one); the run's own workers are this account's.
            if entry.stat().st_uid == uid and wanted in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile
    return found


def stop_run(pid: int, mark: str, deadline: float = 30.0, **kw: Any) -> list[int]:
    """stop_tree(pid), then whatever still names the run (`mark`, its run folder): a worker Ansible forks
    while its tree is being stopped is in no tree once its parent is gone, and would run its task on
    alone (seen: an interrupted up's database wait went on). Returns the PIDs that would not stop."""
    left = stop_tree(pid, **kw)
    until = time.monotonic() + deadline
    while (strays := [p for p in processes_naming(mark) if p not in left]) and time.monotonic() < until:
        for stray in strays:
            left += [p for p in stop_tree(stray, **kw) if p not in left]
    return left


def _stop(pids: list[int], grace: float, deadline: float, spared: set[int]) -> list[int]:
    # Whole process groups (pexpect's child, the workers) unless a spared process is in one.
    groups = {p for p in pids if (stat := _stat(p)) and stat[2] == p}
    groups -= {stat[2] for p in spared if (stat := _stat(p))}
    started = time.monotonic()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in groups:
            with contextlib.suppress(OSError):
                os.killpg(group, sig)
        for p in pids:
            with contextlib.suppress(OSError):
                os.kill(p, sig)
        limit = started + (grace if sig == signal.SIGTERM else deadline)
        while time.monotonic() < limit and any(alive(p) for p in pids):
            time.sleep(0.05)
        if not any(alive(p) for p in pids):
            return []
    return [p for p in pids if alive(p)]


# --- the lock --------------------------------------------------------------------------------------


def describe(record: dict[str, Any]) -> str:
    """'labctl up ex2 (PID 1234, root, since 10:02:03)' for a lock record."""
    if not record.get("pid"):
        return _("another labctl run")
    since = ""
    with contextlib.suppress(ValueError, TypeError):
        since = _(", since {time}").format(time=datetime.fromisoformat(record["since"]).strftime("%H:%M:%S"))
    host = _(" on {host}").format(host=record["host"]) if record.get("host") not in (None, socket.gethostname()) else ""
    return _("{command} (PID {pid}, {user}{since}{host})").format(
        command=record.get("command") or "labctl",
        pid=record["pid"],
        user=record.get("user", "?"),
        since=since,
        host=host,
    )


class RunLock:
    """The held lock of one store: its record can name the ansible-playbook process of the run."""

    def __init__(self, fd: int, path: Path, store: dict[str, Any] | None = None):
        self.fd = fd
        self.path = path
        self.identity = _new_identity()
        self.record = {
            "pid": os.getpid(),
            "pid_start": self.identity["pid_start"],
            "uid": os.geteuid(),
            "user": _user(),
            "host": socket.gethostname(),
            "command": command_line(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds"),
            "run": self.identity["id"],
            "store": store or {"machine": socket.gethostname(), "uid": os.geteuid(), "path": str(path.parent)},
        }

    def read(self) -> dict[str, Any]:
        os.lseek(self.fd, 0, os.SEEK_SET)
        raw = b""
        while chunk := os.read(self.fd, 65536):
            raw += chunk
        try:
            record = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return record if isinstance(record, dict) else {}

    def write(self, record: dict[str, Any] | None) -> None:
        os.ftruncate(self.fd, 0)
        if record:
            os.pwrite(self.fd, (json.dumps(record) + "\n").encode(), 0)

    def set_child(self, pid: int) -> None:
        """Record the run's ansible-playbook process, for whoever takes the lock should this process die."""
        self.write({**self.record, "child_pid": pid, "child_start": start_time(pid)})


_held: RunLock | None = None


def _open(path: Path, owner: Any = None) -> int:
    """The lock file, never through a link; a user's (`owner`: a pwd entry) opened as that user."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        if owner is not None:
            return as_user.open_fd(owner.pw_uid, owner.pw_gid, str(path), flags, 0o600)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755 if os.geteuid() == 0 else 0o700)
        return os.open(path, flags, 0o600)
    except (OSError, as_user.AsUserError) as exc:
        raise LabctlError(
            _("Cannot open labctl's lock file {path}: {problem}; remove it if it is not a plain file.").format(
                path=path, problem=exc.strerror
            ),
            ExitCode.HOST_NOT_READY,
        ) from None


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _finish_orphan(record: dict[str, Any], wait: float, say: Say) -> None:
    """A dead holder's ansible-playbook still running: let it finish for a while, then stop it."""
    pid, started = record.get("child_pid"), record.get("child_start")
    if not isinstance(pid, int) or not is_ansible_playbook(pid, started):
        return
    say(
        _(
            "{run} ended without stopping its ansible-playbook (PID {pid}): waiting up to {seconds:.0f} s for it to "
            "finish…"
        ).format(run=describe(record), pid=pid, seconds=wait)
    )
    limit = time.monotonic() + wait
    while time.monotonic() < limit and is_ansible_playbook(pid, started):
        time.sleep(0.2)
    if is_ansible_playbook(pid, started):
        say(_("Stopping that ansible-playbook (PID {pid}) and its workers.").format(pid=pid))
        left = stop_tree(pid)
        if left:
            raise LabctlError(
                _(
                    "The ansible-playbook of {run} and its workers did not stop (PIDs {pids}); stop them, then try "
                    "again."
                ).format(run=describe(record), pids=", ".join(map(str, left))),
                ExitCode.HOST_NOT_READY,
            )


class _Lease:
    """The store's run lease, held beside its lock by this process (the same id as the run's playbooks
    use), refreshed while the run lives, given back at the end. A user's store's (root's --lab-user work)
    is taken, refreshed and given back as that user."""

    def __init__(self, folder: Path, identity: dict[str, Any], owner: Any = None):
        self.folder, self.identity, self.owner = str(folder), identity, owner
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def owner_name(self) -> str:
        """The user whose store it is ("" for this account's own, as this machine's)."""
        return self.owner.pw_name if self.owner is not None else ""

    def _as_owner(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.owner is None:
            return fn(*args)
        return as_user.call(self.owner.pw_uid, self.owner.pw_gid, fn, *args)

    def take(self, wait: bool, say: Say) -> None:
        mode = 0o755 if (self.owner.pw_uid if self.owner else os.geteuid()) == 0 else 0o700
        _refuse_folder(self._as_owner(_folder_problem, self.folder), self.folder)
        verdict, holder = self._as_owner(_take, self.folder, self.identity, 0, mode)
        if verdict == "held" and wait:
            say(_("Waiting for {run} to finish…").format(run=leases.describe(holder, i18n.current())))
            verdict, holder = self._as_owner(_take, self.folder, self.identity, LEASE_WAIT, mode)
        if verdict == "held":
            message = (
                _(
                    "Another labctl run works on {user}'s Podman store: {run}; wait for it to finish and try again "
                    "(if that run is gone, remove {file})."
                )
                if self.owner_name
                else _(
                    "Another labctl run works on this machine's Podman store: {run}; wait for it to finish and try "
                    "again (if that run is gone, remove {file})."
                )
            )
            raise LabctlError(
                message.format(
                    user=self.owner_name,
                    run=leases.describe(holder, i18n.current()),
                    file=f"{self.folder}/{leases.LEASE}",
                ),
                ExitCode.HOST_NOT_READY,
            )
        self.thread = threading.Thread(target=self._refresh, name="labctl-lease", daemon=True)
        self.thread.start()

    def _refresh(self) -> None:
        while not self.stop.wait(refresh_seconds()):
            with contextlib.suppress(Exception):
                if not self._as_owner(leases.refresh, self.folder, self.identity["id"]):
                    return

    def give(self) -> None:
        self.stop.set()
        with contextlib.suppress(Exception):
            self._as_owner(leases.give, self.folder, self.identity["id"])


def _folder_problem(folder: str) -> str | None:
    return boundary.folder_problem(folder, os.geteuid())


def _refuse_folder(problem: str | None, folder: Any) -> None:
    if problem:
        raise LabctlError(
            _("labctl will not keep its state in {folder}: {problem}; remove or fix it, then try again.").format(
                folder=folder, problem=i18n.words(problem)
            ),
            ExitCode.HOST_NOT_READY,
        )


def _take(folder: str, identity: dict[str, Any], wait: float, mode: int) -> tuple[str, Any]:
    verdict, holder = leases.take(folder, identity, wait, mode=mode)
    if verdict != "held":
        leases.sweep_incoming(folder)
    return verdict, holder


def refresh_seconds() -> float:
    """How often a run refreshes its leases (LABCTL_LEASE_REFRESH, for tests; default lease.REFRESH)."""
    value = os.environ.get("LABCTL_LEASE_REFRESH", "")
    return float(value) if value.isdigit() and int(value) > 0 else float(leases.REFRESH)


def store_owner(user: str | None) -> Any:
    """The pwd entry of the account whose store `--lab-user NAME` names (None: this account's own)."""
    if not user:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise LabctlError(
            _("--lab-user {user}: there is no such user on this machine.").format(user=user), ExitCode.USAGE
        ) from None
    return None if entry.pw_uid == os.geteuid() else entry


@contextlib.contextmanager
def hold(
    *,
    wait: bool = True,
    path: Path | None = None,
    orphan_wait: float = ORPHAN_WAIT,
    say: Say = _stderr,
    user: str | None = None,
) -> Iterator[RunLock]:
    """Hold the store's lock and its lease for a run: wait for another run (saying for whom), or fail at
    once if not `wait`. `user`: another account's store (root only), its lock and lease handled as that user.

    Re-entrant within a process: a verb may hold it across several runs.
    """
    global _held
    if _held is not None:
        yield _held
        return
    owner = store_owner(user)
    if owner is not None and os.geteuid() != 0:
        raise LabctlError(
            _("--lab-user {user} needs root: run labctl as root (sudo).").format(user=user), ExitCode.USAGE
        )
    if path is None:
        path = store_dir(owner.pw_uid) / "run.lock" if owner is not None else lock_path()
    as_owner = as_user.call if owner is not None else None
    folder = str(path.parent)
    _refuse_folder(
        as_owner(owner.pw_uid, owner.pw_gid, _folder_problem, folder) if as_owner else _folder_problem(folder), folder
    )
    fd = _open(path, owner)
    try:
        store = {
            "machine": socket.gethostname(),
            "uid": owner.pw_uid if owner else os.geteuid(),
            "path": str(path.parent),
        }
        lock = RunLock(fd, path, store)
        if not _try_flock(fd):
            holder = describe(lock.read())
            if not wait:
                raise LabctlError(
                    _("{run} is running on this Podman store; try again when it has finished.").format(run=holder),
                    ExitCode.HOST_NOT_READY,
                )
            say(_("Waiting for {run} to finish…").format(run=holder))
            try:
                while not _try_flock(fd):
                    time.sleep(0.2)
            except KeyboardInterrupt:
                raise LabctlError(
                    _("Interrupted while waiting for {run}; nothing was changed.").format(run=holder),
                    ExitCode.INTERRUPTED,
                ) from None
        _finish_orphan(lock.read(), orphan_wait, say)
        lease = _Lease(path.parent, lock.identity, owner)
        try:
            lease.take(wait, say)
        except KeyboardInterrupt:
            raise LabctlError(
                _("Interrupted while waiting for the store's lease; nothing was changed."), ExitCode.INTERRUPTED
            ) from None
        lock.write(lock.record)
        _held = lock
        try:
            yield lock
        finally:
            _held = None
            lease.give()
            lock.write(None)
    finally:
        os.close(fd)  # releases the flock
