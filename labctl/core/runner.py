"""The one wrapper around ansible-runner: a fresh private data dir per run, results from events and stats.

What labctl hands to Ansible is data, never a template: every string of the extra vars goes in
tagged !unsafe, from a file that is deleted as soon as ansible-playbook has read it. Run folders
keep no secrets (see _scrub). One run at a time per Podman store (labctl.core.lock); Ctrl-C or
SIGTERM stops Ansible and all its workers before labctl exits.
"""

import contextlib
import json
import os
import shlex
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ansible_runner
import yaml

from labctl.core import i18n, lock
from labctl.core import inventory as inventories
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.paths import collections_paths, content_dir, make_state_dir, own_home
from labctl.core.secrets import MASK, is_secret_name, redact

KEEP_RUNS = 20  # run folders kept under the state dir for --debug and post-mortems

EXPLICIT_ACTIONS = ("ansible.builtin.fail", "ansible.builtin.assert")

ProgressCallback = Callable[[str, str], None]  # (host, task name)
# A progress callback may also have a `host(host, state, detail)` method: per machine, state is
# "task" (detail: the task it is on), "failed" or "unreachable" (detail: the reason), or "done".
BECOME_PROMPT = r"BECOME password[^:\n]*:\s*$"  # what ansible-playbook -K asks (ansible-runner answers it)


@dataclass(frozen=True)
class Check:
    """One check of a verify (or host check) run, as the labctl.lab.check action reported it."""

    host: str
    name: str
    status: str  # PASS, FAIL, SKIP, NOT_ENFORCED, WARN, INFO
    expected: str = ""
    found: str = ""
    hint: str = ""
    # A SKIP is a failure (a precondition failed) unless its check says why it is none (excused).
    excused: bool = False
    acts: str = ""  # what the check does to the lab to know (a restart, an allocation), if anything
    id: str = ""  # stable across machines and port offsets (a slug): the class matrix's column

    @property
    def failing(self) -> bool:
        return self.status == "FAIL" or (self.status == "SKIP" and not self.excused)


@dataclass(frozen=True)
class Failure:
    host: str
    task: str
    message: str
    role: str = ""
    explicit: bool = False  # a fail/assert task: its message was written for the user
    exit_code: int | None = None  # a labctl.lab module's own verdict (labctl_exit_code), e.g. 3: host not ready


@dataclass
class HostStats:
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0


@dataclass
class RunResult:
    status: str
    rc: int
    duration: float
    artifacts: Path
    stats: dict[str, HostStats] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unreachable: list[Failure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    changed_tasks: list[tuple[str, str]] = field(default_factory=list)  # (host, task)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> merged labctl_report data
    hosts: list[str] = field(default_factory=list)  # the hosts the run was for (inventory, --limit applied)
    seconds: dict[str, float] = field(default_factory=dict)  # host -> from its first task to its last event
    students: dict[str, str] = field(default_factory=dict)  # host -> its inventory variable lab_student

    @property
    def ok(self) -> bool:
        return self.status == "successful" and not self.failures and not self.unreachable

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.stats.values())


def _plain(value: Any, prefix: str = "") -> str:
    """A message as words, never as JSON: a list's items and a dict's leaves joined by '; '."""
    if isinstance(value, dict):
        return "; ".join(_plain(v, f"{prefix}{k}.") for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_plain(v, prefix) for v in value)
    text = " ".join(str(value).split()) if not isinstance(value, str) else value.strip()
    return f"{prefix[:-1]}: {text}" if prefix else text


def _failure_message(res: dict[str, Any]) -> str:
    """A task's error in a line or two: its msg, plus the last line of stderr when that says more.
    A looped task's own msg ("One or more items failed") gives way to its first failed item's."""
    failed = [r for r in res.get("results") or [] if isinstance(r, dict) and r.get("failed")]
    if failed and str(res.get("msg") or "").startswith(("One or more items failed", "All items completed")):
        res = failed[0]
    msg = _plain(res.get("msg") or "")
    stderr = str(res.get("stderr") or res.get("module_stderr") or "").strip()
    last = stderr.splitlines()[-1].strip() if stderr else ""
    if last.startswith(("{", "[")):
        last = ""  # JSON on stderr is for programs, not for the user
    if msg in ("", "non-zero return code", "MODULE FAILURE\nSee stdout/stderr for the exact error") and last:
        return last
    if last and last not in msg and len(msg) < 80:
        return f"{msg} ({last})"
    if not msg:
        return "the task failed without a message"
    first = msg.splitlines()[0]
    return first if len(first) <= 500 else first[:499] + "…"  # a sentence written for the user stays whole


def _unreachable_message(res: dict[str, Any]) -> str:
    """Why a machine could not be reached; a looped task says it in its items ("All items completed")."""
    items = [r for r in res.get("results") or [] if isinstance(r, dict) and r.get("unreachable")]
    msg = _plain((items[0] if items else res).get("msg") or res.get("msg") or "unreachable")
    msg = msg.removeprefix("Task failed: ")
    if "ssh: " in msg:  # "Data could not be sent … over ssh: ssh: connect to host … port 22: Connection refused"
        return "SSH: " + msg.rsplit("ssh: ", 1)[1]
    return msg


class _EventCollector:
    """ansible-runner's event handler: it sees each event before it is written to job_events/, and may change it."""

    def __init__(
        self,
        on_progress: ProgressCallback | None,
        secrets: tuple[str, ...] | list[str] = (),
        on_started: Callable[[], None] | None = None,
    ):
        self.on_progress = on_progress
        self.secrets = [s for s in secrets if len(s) >= 4]  # values to mask wherever they show up
        self.on_started = on_started  # once ansible-playbook has read its extra vars (its first own event)
        self.failures: list[Failure] = []
        self.unreachable: list[Failure] = []
        self.checks: list[Check] = []
        self.changed_tasks: list[tuple[str, str]] = []
        self.reports: dict[str, dict[str, Any]] = {}
        self.current_task = ""
        self.on_host = getattr(on_progress, "host", None)
        begin = getattr(on_progress, "begin", None)
        if begin:
            begin()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.gave_back: set[str] = set()  # hosts whose run_lease (state given) ran

    def seconds(self) -> dict[str, float]:
        return {host: round(self.last.get(host, start) - start, 1) for host, start in self.first.items()}

    def _host_event(self, kind: str, host: str, data: dict[str, Any]) -> None:
        now = time.monotonic()
        self.first.setdefault(host, now)
        self.last[host] = now
        if not self.on_host:
            return
        if kind == "runner_on_start":
            self.on_host(host, "task", data.get("task", ""))
        elif kind == "runner_on_unreachable":
            self.on_host(host, "unreachable", _unreachable_message(data.get("res") or {}))
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            self.on_host(host, "failed", _failure_message(data.get("res") or {}))

    def finish(self) -> None:
        """The run is over: every machine that neither failed nor dropped off is done."""
        if self.on_host:
            for host in self.first:
                self.on_host(host, "done", "")

    def __call__(self, event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        if kind != "verbose" and self.on_started:
            self.on_started()
            self.on_started = None
        clean = _redact_values(redact(event), self.secrets)
        event.clear()
        event.update(clean)  # what ansible-runner writes to job_events/ is the redacted event
        data = event.get("event_data", {})
        host = data.get("host", "")
        if host and kind.startswith("runner_on_"):
            self._host_event(kind, host, data)
        if kind == "playbook_on_task_start":
            self.current_task = data.get("task", "")
            if self.on_progress and self.current_task:
                self.on_progress(host, self.current_task)
        elif kind in ("runner_on_ok", "runner_on_failed", "runner_item_on_ok", "runner_item_on_failed"):
            res = data.get("res") or {}
            self._collect(host, res)
            if kind == "runner_on_failed" and not data.get("ignore_errors"):
                explicit = data.get("resolved_action", "") in EXPLICIT_ACTIONS
                code = res.get("labctl_exit_code")
                explicit = explicit or code is not None  # such a module words its message for the user
                failure = Failure(
                    host, data.get("task", ""), _failure_message(res), data.get("role", ""), explicit, code
                )
                self.failures.append(failure)
            if kind == "runner_on_ok" and res.get("changed"):
                self.changed_tasks.append((host, data.get("task", "")))
            if kind == "runner_on_ok" and "given_back" in res:
                self.gave_back.add(host)
        elif kind == "runner_on_unreachable":
            res = data.get("res") or {}
            self.unreachable.append(Failure(host, data.get("task", ""), _unreachable_message(res)))
        return True  # keep the event on disk: r.stats depends on it

    def _collect(self, host: str, res: dict[str, Any]) -> None:
        # labctl.lab.check reports one check (labctl_check), labctl.lab.checks a list of them.
        reported = res.get("labctl_checks_reported")
        for check in [res.get("labctl_check"), *(reported if isinstance(reported, list) else [])]:
            if isinstance(check, dict):
                self.checks.append(
                    Check(
                        host=host,
                        **{k: str(check.get(k) or "") for k in ("name", "status", "expected", "found", "hint")},
                        excused=bool(check.get("excused")),
                        acts=str(check.get("acts") or ""),
                        id=str(check.get("id") or ""),
                    )
                )
        report = res.get("labctl_report")
        if isinstance(report, dict):
            self.reports.setdefault(host, {}).update(report)


def _redact_values(data: Any, secrets: list[str]) -> Any:
    """Mask the given secret values (say, a --var password) wherever they appear in strings."""
    if not secrets:
        return data
    if isinstance(data, str):
        for secret in secrets:
            data = data.replace(secret, MASK)
        return data
    if isinstance(data, dict):
        return {key: _redact_values(value, secrets) for key, value in data.items()}
    if isinstance(data, list):
        return [_redact_values(item, secrets) for item in data]
    return data


def _secret_values(extravars: dict[str, Any]) -> list[str]:
    return [str(v) for k, v in extravars.items() if is_secret_name(k) and isinstance(v, str | int) and str(v)]


def _error_line(private: Path) -> str:
    """The line of Ansible's output that says what went wrong, for runs that failed before any task."""
    lines: list[str] = []
    for stdout in (private / "artifacts").glob("*/stdout"):
        lines += [line.strip() for line in stdout.read_text(errors="replace").splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith(("[ERROR]", "ERROR!"))]
    errors = marked[:1] or [line for line in lines if "error" in line.lower() and not line.startswith(("{", '"'))]
    return (errors or lines or ["no output"])[-1][:300]


# --- extra vars: data, never templates ----------------------------------------------------------------

EXTRAVARS_FILE = "extravars.yml"


def _unsafe_node(value: Any) -> yaml.Node:
    """YAML for JSON-like data with every string tagged !unsafe: Ansible never templates it."""
    if isinstance(value, str):
        # ansible-core 2.19 loads `!unsafe ""` as None; an empty string holds no template anyway.
        return yaml.ScalarNode("!unsafe" if value else "tag:yaml.org,2002:str", value, style='"')
    if isinstance(value, dict):
        return yaml.MappingNode(
            "tag:yaml.org,2002:map",
            [(yaml.ScalarNode("tag:yaml.org,2002:str", str(k), style='"'), _unsafe_node(v)) for k, v in value.items()],
        )
    if isinstance(value, list):
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [_unsafe_node(v) for v in value])
    if isinstance(value, bool) or value is None:
        return yaml.ScalarNode(f"tag:yaml.org,2002:{'null' if value is None else 'bool'}", json.dumps(value))
    return yaml.ScalarNode(f"tag:yaml.org,2002:{'int' if isinstance(value, int) else 'float'}", repr(value))


def unsafe_yaml(extravars: dict[str, Any]) -> str:
    data = json.loads(json.dumps(extravars, default=str))  # tuples become lists, paths strings
    return yaml.serialize(_unsafe_node(data), Dumper=yaml.SafeDumper, allow_unicode=True, width=1 << 30)


def _write_extravars(private: Path, extravars: dict[str, Any]) -> Path:
    path = private / EXTRAVARS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(unsafe_yaml(extravars))
    return path


# --- run folders: kept for post-mortems, without secrets ------------------------------------------------

SCRUBBED = "scrubbed"  # marker: this folder holds no secrets any more


def _scrub(private: Path, secrets: list[str] | None = None) -> None:
    """Drop or mask what may hold secrets: the extra vars, ansible-runner's env/, the command and its
    environment, event files the run did not get to (they skipped the redaction), and the output's
    NAME=VALUE secrets (a --debug run prints podman_container_info's Config.Env)."""
    shutil.rmtree(private / "env", ignore_errors=True)
    (private / EXTRAVARS_FILE).unlink(missing_ok=True)
    artifacts = private / "artifacts"
    for leftover in [*artifacts.glob("*/command"), *artifacts.glob("*/job_events/*-partial.json")]:
        leftover.unlink(missing_ok=True)
    for output in [*artifacts.glob("*/stdout"), *artifacts.glob("*/stderr")]:
        text = output.read_text(encoding="utf-8", errors="replace")
        clean = _redact_values("\n".join(map(redact, text.split("\n"))), secrets or [])
        if clean != text:
            output.write_text(clean, encoding="utf-8")
    (private / SCRUBBED).touch()


def _sweep(runs: Path) -> None:
    """Scrub the run folders of labctl processes that died before they could (SIGKILL, a crash)."""
    for folder in runs.iterdir():
        if not folder.is_dir() or (folder / SCRUBBED).exists():
            continue
        if _running(folder):
            continue  # still running (another store's labctl sharing this state folder)
        _scrub(folder)


def _running(folder: Path) -> bool:
    """Whether the labctl process that made this run folder is still at work (status -i runs beside others)."""
    pid = folder.name.split("-")[2] if folder.name.count("-") >= 3 else ""
    return pid.isdigit() and int(pid) != os.getpid() and lock.alive(int(pid))


def _new_private_dir(runs: Path, label: str) -> Path:
    old = sorted(p for p in runs.iterdir() if p.is_dir())
    for stale in old[: max(0, len(old) - KEEP_RUNS + 1)]:
        if not _running(stale):  # never pull a folder from under a run that is still going
            shutil.rmtree(stale, ignore_errors=True)
    private = runs / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{label}"
    private.mkdir(mode=0o700)
    return private


def _ansible_env() -> dict[str, str]:
    content = content_dir()
    bindir = str(Path(sys.executable).parent)
    return {
        # Ansible keeps ~/.ansible (its temporary files, SSH control sockets) in the home the password
        # database names: under `sudo -E`, a student's $HOME would get root's files.
        "HOME": own_home(),
        "PATH": bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "ANSIBLE_ROLES_PATH": str(content / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(map(str, collections_paths())),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_SYSTEM_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        # A room over SSH: modules piped into one session, and the connection kept open between tasks.
        "ANSIBLE_PIPELINING": "True",
        "ANSIBLE_SSH_ARGS": "-C -o ControlMaster=auto -o ControlPersist=60s",
        # A hung Podman must not hang labctl: no task may take longer (builds and waits stay well below).
        "ANSIBLE_TASK_TIMEOUT": str(task_timeout()),
    }


def task_timeout() -> int:
    """Seconds any one task may take (LABCTL_TASK_TIMEOUT, default 900)."""
    value = os.environ.get("LABCTL_TASK_TIMEOUT", "900")
    if not value.isdigit() or int(value) < 1:
        raise LabctlError(f"LABCTL_TASK_TIMEOUT={value!r} must be a whole number of seconds.", ExitCode.USAGE)
    return int(value)


def _stats(raw: dict[str, Any] | None) -> dict[str, HostStats]:
    stats: dict[str, HostStats] = {}
    if not raw:
        return stats
    fields = {"ok": "ok", "changed": "changed", "failures": "failed", "dark": "unreachable", "skipped": "skipped"}
    for key, attr in fields.items():
        for host, count in (raw.get(key) or {}).items():
            setattr(stats.setdefault(host, HostStats()), attr, count)
    return stats


# --- Ctrl-C and SIGTERM ----------------------------------------------------------------------------------


class _Interruption:
    """While a run lasts, SIGINT and SIGTERM only set a flag; ansible-runner asks `cancel` a few times a
    second, which then stops ansible-playbook and its workers (they run in sessions of their own,
    so ansible-runner's own kill of the process group misses them) and tells ansible-runner to stop."""

    def __init__(self, held: lock.RunLock | None):
        self.held = held
        self.signum = 0
        self.child = 0
        self.left: list[int] = []
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "_Interruption":
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
            self.left = lock.stop_tree(self.child)
        return bool(self.signum)

    def error(self, label: str) -> LabctlError:
        action, _, target = label.partition("-")
        command = lock.command_line()
        clean = f", or `labctl clean {target}`" if action in ("up", "reset", "prepare") and target else ""
        what = "Interrupted" if self.signum == signal.SIGINT else "Stopped (SIGTERM)"
        left = f" (these of its processes would not stop: {', '.join(map(str, self.left))})" if self.left else ""
        return LabctlError(
            f"{what}: {action} {target} was stopped part-way{left}; run `{command}` again to finish it{clean}.",
            ExitCode.INTERRUPTED if self.signum == signal.SIGINT else ExitCode.TERMINATED,
        )


def _takes_leases(playbook: Path) -> bool:
    """Whether the playbook takes each machine's run lease (imports lease_take.yml)."""
    try:
        return "lease_take.yml" in playbook.read_text(encoding="utf-8")
    except OSError:
        return False


class _LeaseRefresher:
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

    def __enter__(self) -> "_LeaseRefresher":
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
            vars_file = _write_extravars(folder, self.leases)
            ansible_runner.run(
                private_data_dir=str(folder),
                playbook=str(content_dir() / "playbooks" / name),
                project_dir=str(folder),
                **{**self.run_args, "limit": limit, "cmdline": _cmdline(vars_file, self.conn)},
                suppress_env_files=True,
                quiet=True,
                cancel_callback=lambda: self.stop.is_set() and name == "lease_refresh.yml",
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def give_back(self, collector: "_EventCollector") -> None:
        if not (self.conn.remote or self.conn.become):
            return  # this account's own store: labctl's lock gives its lease back (lock.hold)
        dropped = {u.host for u in collector.unreachable}
        hosts = sorted({f.host for f in collector.failures} - collector.gave_back - dropped)
        if hosts:
            with contextlib.suppress(Exception):
                self.play("lease_give.yml", ",".join(hosts))


def _cmdline(vars_file: Path, conn: Connection) -> str:
    """ansible-playbook's arguments besides the playbook: never a secret (the password is asked for)."""
    args = ["-e", f"@{vars_file}"]
    if conn.become:
        args.append("--become")
    if conn.become_password:
        args.append("--ask-become-pass")
    if conn.private_key:
        args += ["--private-key", conn.private_key]
    return shlex.join(args)


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
    env = _ansible_env()
    target = inventories.resolve(conn.inventory, conn.limit, env)
    secrets = _secret_values(extravars) + ([conn.become_password] if conn.become_password else [])
    # A run that only reads (status -i) needs no turn: it changes no store.
    with lock.hold(wait=wait) if lock_store else contextlib.nullcontext() as held:
        runs = make_state_dir("runs")
        _sweep(runs)
        private = _new_private_dir(runs, label)
        try:
            # Each machine's lease names this run (playbooks/lease_take.yml): one run per store there too.
            identity = lock.run_identity(wait)
            # lab_lang: the checks speak the language labctl shows (labctl.lab's texts/ and checks/<lang>.yml).
            words = {"lab_lang": i18n.current(), **extravars}
            vars_file = _write_extravars(private, {**words, "lab_run": identity})
            # How often ansible-runner looks at Ctrl-C (seconds). A file: it drops a `settings` argument
            # when there is no env/settings (ansible-runner 2.4).
            (private / "env").mkdir()
            (private / "env" / "settings").write_text(json.dumps({"pexpect_timeout": 0.2}))
            collector = _EventCollector(on_progress, secrets, on_started=lambda: vars_file.unlink(missing_ok=True))
            started = time.monotonic()
            run_args = {
                "inventory": target.source,
                "limit": conn.limit,
                "cmdline": _cmdline(vars_file, conn),
                "passwords": {BECOME_PROMPT: conn.become_password} if conn.become_password else None,
                "forks": conn.forks,
                "envvars": env,
            }
            leases = {"lab_run": identity, **{k: v for k, v in extravars.items() if k == "lab_lease_dir"}}
            refresher = _LeaseRefresher(private, run_args, leases, conn) if _takes_leases(playbook_path) else None
            with _Interruption(held) as interruption, refresher or contextlib.nullcontext():
                runner = ansible_runner.run(
                    private_data_dir=str(private),
                    playbook=str(playbook_path),
                    # A folder of labctl's own, not the checkout (conmon may still write an `oom`
                    # file next to the playbook: the content hash reads only the playbooks' .yml).
                    project_dir=str(private),
                    inventory=target.source,
                    limit=conn.limit,
                    cmdline=_cmdline(vars_file, conn),
                    # -K: ansible-playbook asks, ansible-runner answers on its terminal; never argv or a file.
                    passwords={BECOME_PROMPT: conn.become_password} if conn.become_password else None,
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
                    interruption.left = lock.stop_tree(interruption.child)
                raise interruption.error(label)
            duration = time.monotonic() - started
        finally:
            _scrub(private, secrets)
    result = RunResult(
        status=runner.status,
        rc=runner.rc,
        duration=duration,
        artifacts=private,
        stats=_stats(runner.stats),
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
            f"Ansible could not run {playbook_path.name} ({runner.status}): {_error_line(private)}; "
            f"see {private} for the full log.",
            ExitCode.HOST_NOT_READY,
        )
    (private / "labctl-result.json").write_text(json.dumps({"status": result.status, "rc": result.rc}))
    return result
