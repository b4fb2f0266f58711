"""Ctrl-C and SIGTERM during a run: stop Ansible and all its workers, then one sentence and exit 130/143."""

import os
import signal
import threading
from typing import Any

from labctl.core import lock
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _


class Interruption:
    """While a run lasts, SIGINT and SIGTERM only set a flag; ansible-runner asks `cancel` a few times a
    second, which then stops ansible-playbook and its workers (they run in sessions of their own,
    so ansible-runner's own kill of the process group misses them) and tells ansible-runner to stop."""

    def __init__(self, held: lock.RunLock | None, mark: str):
        self.held = held
        self.mark = mark  # the run's folder: in the arguments of its ansible-playbook and every worker
        self.signum = 0
        self.child = 0
        self.left: list[int] = []
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "Interruption":
        if threading.current_thread() is threading.main_thread():
            self.previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.signum = signum

    def cancel(self) -> bool:
        if not self.child:
            found = [pid for pid in lock.children(os.getpid()) if lock.is_ansible_playbook(pid)]
            if found:
                self.child = found[0]
                if self.held:  # a run that holds the store's lock records Ansible's PID in it
                    self.held.set_child(self.child)
        if self.signum and self.child:
            self.left = lock.stop_run(self.child, self.mark)
        return bool(self.signum)

    def error(self, label: str) -> LabctlError:
        action, _sep, target = label.partition("-")
        command = lock.command_line()
        clean = (
            _(", or `labctl clean {target}`").format(target=target)
            if action in ("up", "reset", "prepare") and target
            else ""
        )
        what = _("Interrupted") if self.signum == signal.SIGINT else _("Stopped (SIGTERM)")
        left = (
            _(" (these of its processes would not stop: {pids})").format(pids=", ".join(map(str, self.left)))
            if self.left
            else ""
        )
        return LabctlError(
            _(
                "{what}: {action} {target} was stopped part-way{left}; run `{command}` again to finish it{clean}."
            ).format(what=what, action=action, target=target, left=left, command=command, clean=clean),
            ExitCode.INTERRUPTED if self.signum == signal.SIGINT else ExitCode.TERMINATED,
        )
