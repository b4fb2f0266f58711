"""One pipeline for every verb's run: the machines to retry, progress, the run, the record for
--retry-failed; then the one renderer (labctl.core.report) shows the result model (labctl.core.results).

A verb (labctl.cli.*) builds a Request from its own flags; the shared options come as one Options.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from labctl.core import actions, report, results, room, scenarios
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.events import ProgressCallback
from labctl.core.i18n import N_, _, ngettext
from labctl.core.results import RunResult
from labctl.core.scenarios import Scenario


class Options(Protocol):
    """What the pipeline needs of the shared options (labctl.cli.options.Options declares them all)."""

    json: bool
    debug: bool
    retry_failed: bool
    connection: Connection

    @property
    def wait(self) -> bool: ...


@dataclass
class Request:
    """One run of a verb: what --retry-failed records it as, what progress says, and the run itself."""

    verb: str  # up, verify, …, host-check, images: the record's name
    target: str  # the scenario's id ("" for host and images)
    title: str  # what the progress line says
    run: Callable[[Connection, ProgressCallback], RunResult]
    judged_as: str = ""  # results.machine()'s action (default: the verb)


VERB_TITLE = {
    "up": N_("Setting up {scenario} ({title})"),
    "verify": N_("Verifying {scenario} ({title})"),
    "reset": N_("Resetting {scenario} ({title})"),
    "clean": N_("Cleaning {scenario} ({title})"),
    "prepare": N_("Preparing {scenario} ({title})"),
}


def scenario_request(
    scenario: Scenario,
    verb: str,
    opts: Options,
    *,
    overrides: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    fast_path: bool = True,
) -> Request:
    """A scenario verb's run: `overrides` set role variables (--var), `options` the playbook's lab_* switches."""

    def go(conn: Connection, on_progress: ProgressCallback) -> RunResult:
        return actions.run_scenario_action(
            scenario,
            verb,
            overrides=overrides,
            options=options,
            fast_path=fast_path,
            wait=opts.wait,
            on_progress=on_progress,
            verbosity=conn.verbosity,
            connection=conn,
        )

    title = _(VERB_TITLE[verb]).format(scenario=scenario.id, title=scenario.title)
    return Request(verb, scenario.id, title, go)


def provision(scenario: Scenario, verb: str, opts: Options, **request: Any) -> RunResult:
    """up, reset, clean, prepare: run, then show what changed (the room's view on several machines)."""
    result = run(scenario_request(scenario, verb, opts, **request), opts)
    report.provisioned(scenario, verb, result, json_out=opts.json, several=several(result))
    return result


def retry_connection(connection: Connection, verb: str, target: str, quiet: bool = False) -> Connection:
    """--retry-failed: the machines that failed or could not be reached in the last such run, as --limit."""
    if connection.limit:
        raise LabctlError(_("--retry-failed picks the machines itself; leave out -l/--limit."), ExitCode.USAGE)
    hosts = room.to_retry(verb, target, connection.inventory)
    if not hosts:
        command = f"{verb} {target}".strip()
        report.out.print(
            report.escape(
                _("Nothing to retry: every machine succeeded in the last `labctl {command}` on {inventory}.").format(
                    command=command, inventory=connection.inventory
                )
            )
        )
        raise Outcome(ExitCode.OK)
    retrying = ngettext("Retrying on {n} machine(s): {hosts}", "Retrying on {n} machine(s): {hosts}", len(hosts))
    report.note(report.escape(retrying.format(n=len(hosts), hosts=", ".join(hosts))))
    return replace(connection, limit=",".join(hosts))


def run(request: Request, opts: Options) -> RunResult:
    """The request's run, on the machines --retry-failed picks, with progress; recorded for the next retry."""
    conn = opts.connection
    if opts.retry_failed:
        conn = retry_connection(conn, request.verb, request.target)
    with report.progress(request.title, opts.debug) as on_progress:
        result = request.run(conn, on_progress)
    if conn.inventory:
        found = results.machines(result, request.judged_as or request.verb)
        room.record(request.verb, request.target, conn.inventory, found)
    return result


def each(
    scenario_id: str, every: bool, verb: str, one: Callable[[Scenario], None], opts: Options, *, reverse: bool = False
) -> None:
    """One scenario, or with --all every scenario in the course's order (reverse: clean's), each in its own
    run; a failed one does not stop the next; a summary line and the worst exit code."""
    if every and scenario_id:
        raise LabctlError(
            _("Give a scenario or --all, not both (`labctl {verb} --all`).").format(verb=verb), ExitCode.USAGE
        )
    if not every:
        if not scenario_id:
            raise LabctlError(
                _("Which scenario? `labctl {verb} ex1` (see `labctl list`), or --all.").format(verb=verb),
                ExitCode.USAGE,
            )
        one(scenarios.load(scenario_id))
        return
    found = scenarios.load_all(report.warn_all())
    codes: dict[str, int] = {}
    with report.json_list(opts.json):
        for scenario in reversed(found) if reverse else found:
            try:
                one(scenario)
                codes[scenario.id] = ExitCode.OK
            except Outcome as done:
                codes[scenario.id] = done.exit_code
            except LabctlError as exc:
                if exc.exit_code in (ExitCode.USAGE, ExitCode.INTERRUPTED, ExitCode.TERMINATED):
                    raise  # the same for every scenario (an inventory, a --var), or the user said stop
                report.err.print(f"[bold red]{_('error:')}[/] {report.escape(exc.message)}")
                codes[scenario.id] = exc.exit_code
    if not opts.json:
        report.all_summary(verb, codes)
    worst = results.worst(codes.values())
    if worst:
        raise Outcome(worst)


def several(result: RunResult) -> bool:
    """A run on more than one machine gets the room's view: a line per machine."""
    return len(set(result.hosts) | set(result.stats)) > 1


def worst_of(found: Iterable[results.Machine]) -> ExitCode:
    return results.worst(m.exit_code for m in found)
