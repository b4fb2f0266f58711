"""labctl's run lease of a Podman store: one run at a time per store, from however many controllers.

The lease is a file in the store's folder (boundary.store_dir: root /var/lib/labctl/run.lease). It
names the store (machine, uid, folder) and the run that holds it: its id, its controller (a name,
and `machine`: the controller's machine-id and boot id), the uid, PID and start time of the labctl
process there, the command, since when, and when it was last refreshed.

Every change (take, take-over, refresh, give back) happens under an flock of the lease's folder, so
reading the holder and replacing it is one step: take-over is atomic. A holder counts as gone
  - when it runs on the machine that judges (the same machine-id and boot) and its PID is dead (or
    is another process now);
  - when the controller that judges is the holder's own and says so (`gone`: the holder's id, from
    a PID check there: labctl.lab.lease_gone);
  - when it has not been refreshed for its `stale_after` seconds (its controller refreshes it
    every REFRESH seconds while the run lives); a lease without `refreshed` (an older labctl's)
    after LEGACY_MAX_AGE seconds.
"""

import contextlib
import fcntl
import json
import os
import socket
import time

from ansible_collections.labctl.lab.plugins.module_utils import reasons

LEASE = "run.lease"
REFRESH = 300  # seconds between refreshes by a run's controller
STALE_AFTER = 900  # a lease not refreshed for this long was left behind
LEGACY_MAX_AGE = 3600
UNREADABLE_GRACE = 60  # an unreadable lease is being written, unless it stays so this long
INCOMING = "incoming"  # image archives copied to the machine during a run (removed by the next run)
MAX_RECORD = 65536


def machine_id(root="/"):
    """This machine, boot and PID namespace: a PID means something only within one boot of one machine,
    and one PID namespace (containers on one host share its boot, and may share a machine-id)."""
    parts = []
    for path in ("etc/machine-id", "proc/sys/kernel/random/boot_id"):
        try:
            with open(os.path.join(root, path), encoding="ascii") as f:
                parts.append(f.read().strip())
        except OSError:
            parts.append("")
    try:
        parts.append(os.readlink(os.path.join(root, "proc/self/ns/pid")).strip("pid:[]"))
    except OSError:
        parts.append("")
    return ":".join(parts) if all(parts) else ""


def start_time(pid):
    """A process's start time in clock ticks since boot; None when there is no such live process."""
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as f:
            raw = f.read()
    except (OSError, ValueError, TypeError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def pid_alive(pid, started):
    """Whether `pid` is still the process that started at `started` (any live process when None)."""
    now = start_time(pid)
    return now is not None and (started is None or now == started)


def judge(holder, run, now, mtime, here="", alive=pid_alive, gone=()):
    """What to make of the lease's holder for `run`: "free", "ours", "gone" (take it over) or "held".

    holder: the record (None: no lease; {}: unreadable). here: machine_id() of the machine that
    judges. gone: holder ids this run's controller found dead."""
    if holder is None:
        return "free"
    if not holder:
        return "gone" if now - mtime >= UNREADABLE_GRACE else "held"
    if holder.get("id") == run.get("id"):
        return "ours"
    if holder.get("id") and holder.get("id") in gone:
        return "gone"
    if here and holder.get("machine") == here and holder.get("pid"):
        return "held" if alive(holder["pid"], holder.get("pid_start")) else "gone"
    try:
        if "refreshed" in holder:
            return (
                "gone" if now - float(holder["refreshed"]) > float(holder.get("stale_after", STALE_AFTER)) else "held"
            )
        return "gone" if now - float(holder.get("since", 0)) > LEGACY_MAX_AGE else "held"
    except (TypeError, ValueError):
        return "gone" if now - mtime >= UNREADABLE_GRACE else "held"


def gone_here(holder, here=None, alive=pid_alive):
    """For the holder's own controller: the holder's id when its labctl process is dead here, else ""."""
    here = machine_id() if here is None else here
    if not isinstance(holder, dict) or not holder.get("id") or not here or holder.get("machine") != here:
        return ""
    return "" if alive(holder.get("pid"), holder.get("pid_start")) else holder["id"]


def describe_said(holder):
    """Who holds a lease, as a said (module_utils.reasons): "up ex2 (root, PID 7 on trainer-pc, since 09:12)"."""
    if not holder:
        return reasons.said("a_labctl_run")
    try:
        since = time.strftime("%H:%M", time.localtime(float(holder.get("since", 0))))
    except (TypeError, ValueError):
        since = "?"
    return reasons.said(
        "holder_run",
        command=holder.get("command") or reasons.said("a_labctl_run"),
        user=holder.get("user", "?"),
        pid=f", PID {holder['pid']}" if holder.get("pid") else "",
        controller=holder.get("controller", "?"),
        since=since,
    )


def describe(holder, lang=reasons.DEFAULT_LANG):
    """Who holds a lease, in words of lang."""
    return reasons.words(describe_said(holder), lang)


@contextlib.contextmanager
def _locked(folder, make=True, mode=0o755):
    """The lease's folder, open (never through a link) and flock'ed: one change at a time."""
    if make:
        os.makedirs(folder, mode=mode, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _read(dir_fd, name=LEASE):
    """(record, mtime): None when there is none, {} when it cannot be read."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return None, 0.0
    except OSError:
        return {}, 0.0
    try:
        mtime = os.fstat(fd).st_mtime
        raw = os.read(fd, MAX_RECORD + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_RECORD:
        return {}, mtime
    try:
        record = json.loads(raw)
    except ValueError:
        return {}, mtime
    return (record if isinstance(record, dict) else {}), mtime


def _write(dir_fd, record, name=LEASE):
    """Replace the lease in one step: a new file beside it, then rename (readers see old or new)."""
    tmp = f".{name}.{os.getpid()}.{time.monotonic_ns()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(record))
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def read(folder):
    """The lease's holder: None when there is none, {} when it cannot be read."""
    try:
        with _locked(folder, make=False) as fd:
            return _read(fd)[0]
    except FileNotFoundError:
        return None


def take(folder, run, wait, gone=(), refresh=True, ask=False, clock=time.time, sleep=time.sleep, mode=0o755):
    """Take the lease for `run`, waiting up to `wait` seconds for another holder.

    Returns (verdict, holder): "taken" (nothing there), "ours" (this run holds it already),
    "took over" (holder: the gone run's record), "held" (holder: who keeps it), or with `ask`
    "ask" at once when the holder is a run of this run's own controller on another machine (only
    that controller can tell whether it is gone: see gone_here)."""
    deadline = time.monotonic() + wait
    here = machine_id()
    while True:
        with _locked(folder, mode=mode) as fd:
            holder, mtime = _read(fd)
            now = clock()
            verdict = judge(holder, run, now, mtime, here, gone=gone)
            if verdict in ("free", "gone"):
                record = {
                    **run,
                    "since": now,
                    "refreshed": now,
                    "store": {"machine": socket.gethostname(), "uid": os.geteuid(), "path": folder},
                }
                if not refresh:  # no controller refreshes it: judged by its age, as an older labctl's
                    record.pop("refreshed")
                _write(fd, record)
                return ("taken" if verdict == "free" else "took over"), holder
            if verdict == "ours":
                return "ours", None
            if ask and holder.get("machine") and holder.get("machine") == run.get("machine") != here:
                return "ask", holder
        if time.monotonic() >= deadline:
            return "held", holder
        sleep(1)


def refresh(folder, run_id, clock=time.time):
    """Say the run still lives: True when it holds the lease (and it was refreshed)."""
    try:
        with _locked(folder, make=False) as fd:
            holder, _ = _read(fd)
            if not holder or holder.get("id") != run_id:
                return False
            if "refreshed" in holder:
                _write(fd, {**holder, "refreshed": clock()})
            return True
    except FileNotFoundError:
        return False


def give(folder, run_id):
    """Give the lease back if `run_id` holds it: True when it did."""
    try:
        with _locked(folder, make=False) as fd:
            holder, _ = _read(fd)
            if not holder or holder.get("id") != run_id:
                return False
            os.unlink(LEASE, dir_fd=fd)
            return True
    except FileNotFoundError:
        return False


def sweep_incoming(folder):
    """Remove the image archives an interrupted run left in the store's folder; their names."""
    import shutil

    incoming = os.path.join(folder, INCOMING)
    removed = []
    try:
        names = os.listdir(incoming)
    except OSError:
        return removed
    for name in sorted(names):
        path = os.path.join(incoming, name)
        with contextlib.suppress(OSError):
            if os.path.islink(path) or not os.path.isdir(path):
                os.unlink(path)
            else:
                shutil.rmtree(path)
            removed.append(path)
    with contextlib.suppress(OSError):
        os.rmdir(incoming)  # made again by the run that copies archives
    return removed


def leftovers(folder):
    """What interrupted runs left in the store's folder (archive folders), with their sizes in bytes."""
    incoming = os.path.join(folder, INCOMING)
    found = []
    try:
        names = sorted(os.listdir(incoming))
    except OSError:
        return found
    for name in names:
        path = os.path.join(incoming, name)
        size = 0
        for base, _, files in os.walk(path):
            for f in files:
                with contextlib.suppress(OSError):
                    size += os.lstat(os.path.join(base, f)).st_size
        found.append({"path": path, "bytes": size})
    return found
