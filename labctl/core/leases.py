"""A run's leases on its machines beyond what its playbook does: refreshed while the run lives, given back
by machines that failed before they could (each machine's lease: labctl.lab.run_lease)."""

import contextlib
import shutil
import threading
from pathlib import Path
from typing import Any

import ansible_runner

from labctl.core import lock
from labctl.core.config import Connection
from labctl.core.environment import cmdline
from labctl.core.events import EventCollector
from labctl.core.extravars import write_extravars
from labctl.core.paths import content_dir


def takes_leases(playbook: Path) -> bool:
    """Whether the playbook takes each machine's run lease (imports lease_take.yml)."""
    try:
        return "lease_take.yml" in playbook.read_text(encoding="utf-8")
    except OSError:
        return False


class LeaseRefresher:
    """A run's leases beyond what its playbook does. While a run on an inventory lives, every few
    minutes (lock.refresh_seconds()) lease_refresh.yml on its machines says the run still lives, so
    that no other controller judges the lease left behind. At the end, lease_give.yml for the
    machines that failed but did not give their lease back: when every machine of a play fails,
    Ansible runs no later play, so lease_give.yml's clear_host_errors never gets its turn."""

    def __init__(self, private: Path, run_args: dict[str, Any], leases: dict[str, Any], conn: Connection):
        self.private, self.run_args, self.leases, self.conn = private, run_args, leases, conn
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.count = 0

    def __enter__(self) -> "LeaseRefresher":
        # This account's own store: labctl's lock refreshes its lease (lock.hold). Another store (an
        # inventory's machines, root's with -b) is refreshed through Ansible.
        if self.conn.remote or self.conn.become:
            self.thread = threading.Thread(target=self._loop, name="labctl-lease-refresh", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=60)

    def _loop(self) -> None:
        while not self.stop.wait(lock.refresh_seconds()):
            with contextlib.suppress(Exception):
                self.play("lease_refresh.yml", self.conn.limit)

    def play(self, name: str, limit: str | None) -> None:
        self.count += 1
        folder = self.private / "leases" / f"{self.count}-{name.removesuffix('.yml')}"
        folder.mkdir(parents=True, mode=0o700)
        try:
            vars_file = write_extravars(folder, self.leases)
            ansible_runner.run(
                private_data_dir=str(folder),
                playbook=str(content_dir() / "playbooks" / name),
                project_dir=str(folder),
                **{**self.run_args, "limit": limit, "cmdline": cmdline(vars_file, self.conn)},
                suppress_env_files=True,
                quiet=True,
                cancel_callback=lambda: self.stop.is_set() and name == "lease_refresh.yml",
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def give_back(self, collector: EventCollector) -> None:
        if not (self.conn.remote or self.conn.become):
            return  # this account's own store: labctl's lock gives its lease back (lock.hold)
        dropped = {u.host for u in collector.unreachable}
        hosts = sorted({f.host for f in collector.failures} - collector.gave_back - dropped)
        if hosts:
            with contextlib.suppress(Exception):
                self.play("lease_give.yml", ",".join(hosts))
