"""The one call of ansible-runner: a fresh private data dir per run, results from events and stats.

What labctl hands to Ansible is data, never a template (labctl.core.extravars); run folders keep no
secrets (labctl.core.rundirs); one run at a time per Podman store (labctl.core.lock); Ctrl-C or SIGTERM
stops Ansible and all its workers before labctl exits (labctl.core.interrupt).
"""

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import ansible_runner

from labctl.core import i18n, lock, rundirs
from labctl.core import inventory as inventories
from labctl.core.config import Connection
from labctl.core.environment import ansible_env, cmdline, connection_vars, passwords
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.events import EventCollector, ProgressCallback
from labctl.core.extravars import write_extravars
from labctl.core.interrupt import Interruption
from labctl.core.leases import LeaseRefresher, takes_leases
from labctl.core.paths import content_dir, make_state_dir
from labctl.core.results import RunResult, stats_of
from labctl.core.secrets import secret_values


def run_playbook(
    playbook: str,
    extravars: dict[str, Any],
    *,
    label: str,
    inventory: str | None = None,
    limit: str | None = None,
    on_progress: ProgressCallback | None = None,
    verbosity: int = 0,
    wait: bool = True,
    connection: Connection | None = None,
    lock_store: bool = True,
) -> RunResult:
    """Run a playbook (one of labctl's by name, or any by absolute path) and return what happened,
    without parsing any stdout. Holds the Podman store's lock for the run; `wait=False` fails at once
    (exit code 3) when another run holds it. `connection` (inventory, limit, become, forks, key,
    verbosity) replaces `inventory`, `limit` and `verbosity` when given."""
    conn = connection or Connection(inventory=inventory, limit=limit, verbosity=verbosity)
    playbook_path = Path(playbook) if Path(playbook).is_absolute() else content_dir() / "playbooks" / playbook
    env = ansible_env(conn)
    target = inventories.resolve(conn.inventory, conn.limit, env)
    secrets = secret_values(extravars) + [p for p in (conn.become_password, conn.ssh_password) if p]
    # A run that only reads (status -i) needs no turn: it changes no store.
    # This machine's run for a lab user (root, --lab-user): that user's store, its lock taken as that user.
    store_user = conn.lab_user if not conn.remote else None
    with lock.hold(wait=wait, user=store_user) if lock_store else contextlib.nullcontext() as held:
        runs = make_state_dir("runs")
        rundirs.sweep(runs)
        private = rundirs.new_private_dir(runs, label)
        try:
            # Each machine's lease names this run (playbooks/lease_take.yml): one run per store there too.
            identity = lock.run_identity(wait)
            # lab_lang: the checks speak the language labctl shows (labctl.lab's texts/ and checks/<lang>.yml).
            words = {"lab_lang": i18n.current(), **connection_vars(conn), **extravars}
            vars_file = write_extravars(private, {**words, "lab_run": identity})
            # How often ansible-runner looks at Ctrl-C (seconds). A file: it drops a `settings` argument
            # when there is no env/settings (ansible-runner 2.4).
            (private / "env").mkdir()
            (private / "env" / "settings").write_text(json.dumps({"pexpect_timeout": 0.2}))
            collector = EventCollector(on_progress, secrets, on_started=lambda: vars_file.unlink(missing_ok=True))
            started = time.monotonic()
            run_args = {
                "inventory": target.source,
                "limit": conn.limit,
                "cmdline": cmdline(vars_file, conn),
                "passwords": passwords(conn),
                "forks": conn.forks,
                "envvars": env,
            }
            leases = {"lab_run": identity, **{k: v for k, v in extravars.items() if k == "lab_lease_dir"}}
            refresher = LeaseRefresher(private, run_args, leases, conn) if takes_leases(playbook_path) else None
            with Interruption(held, str(private)) as interruption, refresher or contextlib.nullcontext():
                runner = ansible_runner.run(
                    private_data_dir=str(private),
                    playbook=str(playbook_path),
                    # A folder of labctl's own, not the checkout (conmon may still write an `oom`
                    # file next to the playbook: the content hash reads only the playbooks' .yml).
                    project_dir=str(private),
                    inventory=target.source,
                    limit=conn.limit,
                    cmdline=cmdline(vars_file, conn),
                    # -k, -K: ansible-playbook asks, ansible-runner answers on its terminal; never argv or a file.
                    passwords=passwords(conn),
                    forks=conn.forks,
                    envvars=env,
                    suppress_env_files=True,  # nothing under env/: the environment stays in memory
                    quiet=True,
                    verbosity=conn.verbosity,
                    event_handler=collector,
                    cancel_callback=interruption.cancel,
                )
            collector.finish()
            if refresher and not interruption.signum:
                refresher.give_back(collector)
            if interruption.signum:
                if interruption.child and not interruption.left:
                    interruption.left = lock.stop_run(interruption.child, str(private))
                raise interruption.error(label)
            duration = time.monotonic() - started
        finally:
            rundirs.scrub(private, secrets)
    result = RunResult(
        status=runner.status,
        rc=runner.rc,
        duration=duration,
        artifacts=private,
        stats=stats_of(runner.stats),
        failures=collector.failures,
        unreachable=collector.unreachable,
        checks=collector.checks,
        changed_tasks=collector.changed_tasks,
        reports=collector.reports,
        hosts=target.hosts,
        seconds=collector.seconds(),
        students=target.students,
    )
    if runner.status != "successful" and not result.failures and not result.unreachable:
        raise LabctlError(
            i18n._("Ansible could not run {playbook} ({status}): {problem}; see {folder} for the full log.").format(
                playbook=playbook_path.name, status=runner.status, problem=rundirs.error_line(private), folder=private
            ),
            ExitCode.HOST_NOT_READY,
        )
    (private / "labctl-result.json").write_text(json.dumps({"status": result.status, "rc": result.rc}))
    return result
