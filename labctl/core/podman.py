"""Podman's command line on this machine, as the current user or (as root) in another user's rootless store."""

import contextlib
import json
import os
import pwd
import subprocess
import tempfile
from collections.abc import Iterable
from typing import Any

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _


def normalise(ref: str) -> str:
    """A reference as Podman lists it: docker.io/library/ for short names, :latest when no tag is given."""
    name = ref.split("@", 1)[0]
    first = name.split("/", 1)[0]
    if "/" not in name:
        ref = f"docker.io/library/{ref}"
    elif "." not in first and ":" not in first and first != "localhost":
        ref = f"docker.io/{ref}"
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        ref += ":latest"
    return ref


def local_run(argv: list[str]) -> tuple[int, str, str]:
    """run(argv) for labctl.lab's module_utils: this account's podman, here (a minute at the most)."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


class Podman:
    """Runs podman, as `user` (root only) in that user's own store when one is given.

    Every podman runs in a session of its own (setsid) with no terminal, its standard input empty
    unless labctl feeds it: a process of a student's (their podman, a helper their configuration
    names) never gets hold of root's terminal, to type into it (TIOCSTI) or to keep it."""

    def __init__(self, user: str | None = None):
        self.user = user
        self.prefix: list[str] = ["podman"]
        self.env: dict[str, str] | None = None
        if os.getuid() == 0:  # root's Podman reads no configuration from a home `sudo -E` kept
            self.env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
            self.env["HOME"] = pwd.getpwuid(0).pw_dir
        if user and user != pwd.getpwuid(os.getuid()).pw_name:
            if os.getuid() != 0:
                raise LabctlError(
                    _("--lab-user {user} needs root: run labctl as root (sudo).").format(user=user), ExitCode.USAGE
                )
            try:
                entry = pwd.getpwnam(user)
            except KeyError:
                raise LabctlError(
                    _("--lab-user {user}: there is no such user on this machine.").format(user=user), ExitCode.USAGE
                ) from None
            env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "PATH": "/usr/local/bin:/usr/bin:/bin"}
            runtime = f"/run/user/{entry.pw_uid}"
            if os.path.isdir(runtime):
                env["XDG_RUNTIME_DIR"] = runtime
            self.prefix = ["runuser", "-u", user, "--", "env", *[f"{k}={v}" for k, v in env.items()], "podman"]
            self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}

    @property
    def store(self) -> str:
        """The store as --json names it (English, whatever the language shown)."""
        return f"{self.user}'s store" if self.user else "this machine's store"

    @property
    def whose(self) -> str:
        """The store in the language shown."""
        return _("{user}'s store").format(user=self.user) if self.user else _("this machine's store")

    def argv(self, *args: str) -> list[str]:
        return [*self.prefix, *args]

    def run(self, *args: str, check: bool = True, input: bytes | None = None, timeout: int = 900) -> str:
        try:
            proc = subprocess.run(
                self.argv(*args),
                capture_output=True,
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                timeout=timeout,
                cwd="/",
                env=self.env,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise LabctlError(
                _("Podman is not installed here: run `labctl host setup`, then try again."), ExitCode.HOST_NOT_READY
            ) from None
        except subprocess.TimeoutExpired:
            raise LabctlError(
                _(
                    "podman {command} did not finish within {seconds} s; check that `podman ps` answers, "
                    "then try again."
                ).format(command=args[0], seconds=timeout),
                ExitCode.HOST_NOT_READY,
            ) from None
        if check and proc.returncode != 0:
            raise PodmanFailed(args, proc.stderr.decode(errors="replace"))
        return proc.stdout.decode(errors="replace")

    def feed(self, chunks: Iterable[bytes], *args: str) -> None:
        """Run podman with `chunks` streamed to its standard input (a load of a large archive)."""
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(
                self.argv(*args),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                cwd="/",
                env=self.env,
                start_new_session=True,
            )
            try:
                for block in chunks:
                    proc.stdin.write(block)
            except BrokenPipeError:
                pass  # podman stopped reading: its exit status and message say why
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
            proc.wait()
            if proc.returncode != 0:
                errors.seek(0)
                raise PodmanFailed(args, errors.read().decode(errors="replace"))

    def images(self) -> dict[str, dict[str, Any]]:
        """Every tagged image of the store by reference: Id, Size, Labels, Created."""
        found: dict[str, dict[str, Any]] = {}
        for image in json.loads(self.run("images", "--format", "json") or "[]"):
            for name in image.get("Names") or []:
                found[name] = {
                    "Id": image["Id"],
                    "Size": image.get("Size", 0),
                    "Labels": image.get("Labels") or {},
                    "Created": image.get("Created"),
                }
        return found


class PodmanFailed(LabctlError):
    """A podman command failed; `reason` is the last line of what it said."""

    def __init__(self, args: tuple[str, ...], stderr: str):
        lines = [line.removeprefix("Error: ") for line in stderr.strip().splitlines() if line.strip()]
        self.reason = lines[-1] if lines else _("no message")
        super().__init__(
            _("podman {command} failed: {reason}.").format(command=" ".join(args[:2]), reason=self.reason),
            ExitCode.FAILED,
        )
