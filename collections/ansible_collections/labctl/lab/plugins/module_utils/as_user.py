"""Work for a user done as that user: root forks, the child drops to the user's ids and does the work.

Whatever the child does in the user's home (follow the user's links, create, write) it does with the
user's rights only, so a link planted there leads nowhere the user could not go themselves. The
child's answer comes back as JSON; an open file comes back as a file descriptor (SCM_RIGHTS), which
root may then lock or read without ever resolving the user's path itself.
"""

import contextlib
import json
import os
import pwd
import socket
import traceback


class AsUserError(Exception):
    """The work failed in the child: `errno` and `strerror` of an OSError, else a message."""

    def __init__(self, message, errno=None, strerror=None):
        super().__init__(message)
        self.errno = errno
        self.strerror = strerror or message


def _drop(uid, gid):
    entry = pwd.getpwuid(uid)
    os.setgroups(os.getgrouplist(entry.pw_name, gid))
    os.setgid(gid)
    os.setuid(uid)
    os.environ["HOME"] = entry.pw_dir
    os.chdir("/")


def needed(uid):
    """Whether doing work for `uid` means changing ids (root working for another account)."""
    return os.geteuid() == 0 and uid != 0


def call(uid, gid, fn, *args):
    """fn(*args) with the user's ids; its JSON-able result, or AsUserError. Runs in this process
    when no change of ids is needed."""
    if not needed(uid):
        try:
            return fn(*args)
        except OSError as exc:
            raise AsUserError(str(exc), exc.errno, exc.strerror) from None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            _drop(uid, gid)
            try:
                answer = {"ok": fn(*args)}
            except OSError as exc:
                answer = {"errno": exc.errno, "strerror": exc.strerror, "error": str(exc)}
            except Exception as exc:  # everything goes back to the parent as words
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            while data:
                data = data[os.write(write_end, data) :]
        except BaseException:  # a child must never run on as the parent
            code = 1
            with contextlib.suppress(OSError):
                os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        for chunk in iter(lambda: pipe.read(65536), b""):
            chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        answer = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        answer = {}
    if "ok" in answer:
        return answer["ok"]
    raise AsUserError(answer.get("error") or "the work as the user failed", answer.get("errno"), answer.get("strerror"))


def open_fd(uid, gid, path, flags, mode=0o600, make_parents=0o700):
    """os.open(path, flags, mode) done as the user (parents made first, mode `make_parents`); the
    open file descriptor, now this process's."""
    if not needed(uid):
        if make_parents:
            os.makedirs(os.path.dirname(path), mode=make_parents, exist_ok=True)
        return os.open(path, flags, mode)
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            parent.close()
            _drop(uid, gid)
            try:
                if make_parents:
                    os.makedirs(os.path.dirname(path), mode=make_parents, exist_ok=True)
                fd = os.open(path, flags, mode)
                socket.send_fds(child, [b"{}"], [fd])
                code = 0
            except OSError as exc:
                child.sendall(json.dumps({"errno": exc.errno, "strerror": exc.strerror, "error": str(exc)}).encode())
        except BaseException:  # a child must never run on as the parent
            code = 1
        finally:
            os._exit(code)
    child.close()
    try:
        message, fds, _, _ = socket.recv_fds(parent, 65536, 1)
    finally:
        parent.close()
        os.waitpid(pid, 0)
    if fds:
        return fds[0]
    try:
        answer = json.loads(message or b"{}")
    except ValueError:
        answer = {}
    raise AsUserError(answer.get("error") or "opening as the user failed", answer.get("errno"), answer.get("strerror"))
