"""ansible-runner's events as labctl's result model: failures in a sentence, checks, reports, progress.

Each event is redacted before ansible-runner writes it to the run folder (secrets.redact, and the values
of the run's own secrets).
"""

import time
from collections.abc import Callable
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import reasons

from labctl.core import i18n
from labctl.core.i18n import _
from labctl.core.results import Check, Failure
from labctl.core.secrets import redact, redact_values

EXPLICIT_ACTIONS = ("ansible.builtin.fail", "ansible.builtin.assert", "labctl.lab.stop")

ProgressCallback = Callable[[str, str], None]  # (host, task name)
# A progress callback may also have a `host(host, state, detail)` method: per machine, state is
# "task" (detail: the task it is on), "failed" or "unreachable" (detail: the reason), or "done".


def _plain(value: Any, prefix: str = "") -> str:
    """A message as words, never as JSON: a list's items and a dict's leaves joined by '; '."""
    if isinstance(value, dict):
        return "; ".join(_plain(v, f"{prefix}{k}.") for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_plain(v, prefix) for v in value)
    text = " ".join(str(value).split()) if not isinstance(value, str) else value.strip()
    return f"{prefix[:-1]}: {text}" if prefix else text


def failure_message(res: dict[str, Any]) -> str:
    """A task's error in a line or two: its msg, plus the last line of stderr when that says more.
    A looped task's own msg ("One or more items failed") gives way to its first failed item's."""
    failed = [r for r in res.get("results") or [] if isinstance(r, dict) and r.get("failed")]
    if failed and str(res.get("msg") or "").startswith(("One or more items failed", "All items completed")):
        res = failed[0]
    if reasons.is_said(res.get("labctl_said")):  # a stop as data (labctl.lab.stop, a module that refuses)
        return " ".join(reasons.say(res["labctl_said"], i18n.current()).split())
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
        return _("the task failed without a message")
    first = msg.splitlines()[0]
    return first if len(first) <= 500 else first[:499] + "…"  # a sentence written for the user stays whole


def unreachable_message(res: dict[str, Any]) -> str:
    """Why a machine could not be reached; a looped task says it in its items ("All items completed")."""
    items = [r for r in res.get("results") or [] if isinstance(r, dict) and r.get("unreachable")]
    msg = _plain((items[0] if items else res).get("msg") or res.get("msg") or "unreachable")
    msg = msg.removeprefix("Task failed: ")
    if "ssh: " in msg:  # "Data could not be sent … over ssh: ssh: connect to host … port 22: Connection refused"
        return "SSH: " + msg.rsplit("ssh: ", 1)[1]
    return msg


class EventCollector:
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
            self.on_host(host, "unreachable", unreachable_message(data.get("res") or {}))
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            self.on_host(host, "failed", failure_message(data.get("res") or {}))

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
        clean = redact_values(redact(event), self.secrets)
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
                said = res.get("labctl_said")
                failure = Failure(
                    host,
                    data.get("task", ""),
                    failure_message(res),
                    data.get("role", ""),
                    explicit,
                    code,
                    said["reason"] if reasons.is_said(said) else "",
                )
                self.failures.append(failure)
            if kind == "runner_on_ok" and res.get("changed"):
                self.changed_tasks.append((host, data.get("task", "")))
            if kind == "runner_on_ok" and "given_back" in res:
                self.gave_back.add(host)
        elif kind == "runner_on_unreachable":
            res = data.get("res") or {}
            self.unreachable.append(Failure(host, data.get("task", ""), unreachable_message(res)))
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
