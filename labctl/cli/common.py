"""What the scenario verbs share: run one action and present its result."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import typer

from labctl.core import report, results, room, scenarios
from labctl.core.actions import run_scenario_action
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.results import RunResult, raise_for_failures
from labctl.core.scenarios import Scenario

VERB_TITLE = {
    "up": "Setting up",
    "verify": "Verifying",
    "reset": "Resetting",
    "clean": "Cleaning",
    "prepare": "Preparing",
}


def retry_connection(connection: Connection, verb: str, scenario_id: str) -> Connection:
    """--retry-failed: the machines that failed or could not be reached in the last such run, as --limit."""
    if connection.limit:
        raise LabctlError("--retry-failed picks the machines itself; leave out -l/--limit.", ExitCode.USAGE)
    hosts = room.to_retry(verb, scenario_id, connection.inventory)
    if not hosts:
        command = f"{verb} {scenario_id}".strip()
        report.out.print(
            f"Nothing to retry: every machine succeeded in the last `labctl {command}` on {connection.inventory}."
        )
        raise typer.Exit(ExitCode.OK)
    report.err.print(f"Retrying on {len(hosts)} machine(s): {report.escape(', '.join(hosts))}")
    return replace(connection, limit=",".join(hosts))


def remember(connection: Connection, verb: str, scenario_id: str, result: RunResult, action: str) -> None:
    """After a run on an inventory: which machines --retry-failed should run again."""
    if connection.inventory:
        room.record(verb, scenario_id, connection.inventory, results.machines(result, action))


def run_action(
    scenario: Scenario,
    action: str,
    *,
    debug: bool,
    connection: Connection | None = None,
    inventory: str | None = None,
    limit: str | None = None,
    overrides: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    fast_path: bool = True,
    wait: bool = True,
    retry_failed: bool = False,
) -> RunResult:
    conn = connection or Connection(inventory=inventory, limit=limit, verbosity=1 if debug else 0)
    if retry_failed:
        conn = retry_connection(conn, action, scenario.id)
    title = f"{VERB_TITLE[action]} {scenario.id} ({scenario.title})"
    with report.progress(title, debug) as on_progress:
        result = run_scenario_action(
            scenario,
            action,
            overrides=overrides,
            options=options,
            fast_path=fast_path,
            wait=wait,
            on_progress=on_progress,
            verbosity=conn.verbosity,
            connection=conn,
        )
    remember(conn, action, scenario.id, result, action)
    return result


def each(scenario_id: str, every: bool, action: str, one: Callable[[Scenario], None], json_out: bool) -> None:
    """One scenario, or with --all every scenario in the course's order (clean: the reverse), each in
    its own Ansible run; a failed one does not stop the next; a summary line and the worst exit code."""
    if every and scenario_id:
        raise LabctlError(f"Give a scenario or --all, not both (`labctl {action} --all`).", ExitCode.USAGE)
    if not every:
        if not scenario_id:
            raise LabctlError(f"Which scenario? `labctl {action} ex1` (see `labctl list`), or --all.", ExitCode.USAGE)
        one(scenarios.load(scenario_id))
        return
    found = scenarios.load_all(report.warn_all())
    codes: dict[str, int] = {}
    with report.json_list(json_out):
        for scenario in reversed(found) if action == "clean" else found:
            try:
                one(scenario)
                codes[scenario.id] = ExitCode.OK
            except typer.Exit as stop:
                codes[scenario.id] = stop.exit_code
            except LabctlError as exc:
                if exc.exit_code in (ExitCode.USAGE, ExitCode.INTERRUPTED, ExitCode.TERMINATED):
                    raise  # the same for every scenario (an inventory, a --var), or the user said stop
                report.err.print(f"[bold red]error:[/] {report.escape(exc.message)}")
                codes[scenario.id] = exc.exit_code
    worst = results.worst(codes.values())
    if not json_out:
        words = [
            f"{sid} [green]ok[/]" if not code else f"{sid} [red]exit {int(code)}[/]" for sid, code in codes.items()
        ]
        report.out.print(f"[bold]{action} --all:[/] {', '.join(words)}")
    if worst:
        raise typer.Exit(worst)


def several(result: RunResult) -> bool:
    """A run on more than one machine gets the room's view: a line per machine."""
    return len(set(result.hosts) | set(result.stats)) > 1


def finish_room(
    what: str, verb: str, result: RunResult, *, json_out: bool, csv: str | None = None, **extra: Any
) -> None:
    """A run on several machines (or --json, --csv): a table per machine, the class matrix for
    checks, one summary line; the exit code of the first that applies of 4, 3, 1, 5."""
    found = results.machines(result, verb)
    code = results.worst(m.exit_code for m in found)
    if csv:
        written = room.write_csv(csv, found)
        report.err.print(f"[dim]class matrix written to {report.escape(str(written))}[/]")
    if json_out:
        machines = {m.host: m.as_json() for m in found}
        report.print_json(report.result_json(result, **extra, machines=machines, exit_code=int(code)))
    else:
        if verb in ("verify", "check") and any(m.checks for m in found):
            report.out.print(report.class_matrix(*room.matrix(found)))
            marks = results.MARK
            report.out.print(
                f"[dim]{marks['PASS']} pass  {marks['FAIL']} fail  {marks['SKIP']} skipped  "
                "? not enforced or not known[/]"
            )
        report.out.print(report.machines_table(found, checks=verb in ("verify", "check")))
        report.out.print(results.summary(found, what))
    if code:
        raise typer.Exit(code)


def clean_report(scenario: Scenario, host: str, clean: dict[str, Any], where: str) -> None:
    """What clean removed (or would, in a dry run), marking what labctl did not make, and what it kept."""
    foreign = set(clean.get("not_made_by_labctl") or [])
    plan = [f"{kind[:-1]} {name}" for kind, names in (clean.get("plan") or {}).items() for name in names]
    marked = [f"{item} (not made by labctl)" if item in foreign else item for item in plan]
    if clean.get("dry_run"):
        what = ", ".join(marked) or "nothing"
        report.out.print(f"dry run: clean of {scenario.id}{where} would remove {report.escape(what)}")
    elif foreign:
        report.out.print(f"  removed though labctl did not make them: {report.escape(', '.join(sorted(foreign)))}")
    for kept in clean.get("kept") or []:
        report.out.print(f"  kept {kept['kind']} {report.escape(kept['name'])}: {report.escape(kept['reason'])}")


def finish_provisioning(scenario: Scenario, action: str, result: RunResult, *, json_out: bool) -> None:
    """Report an up/reset/clean: a summary line per host, or JSON; raise on failure."""
    if json_out or several(result):
        if not json_out:
            for host in sorted(result.stats):
                clean = result.reports.get(host, {}).get("clean") or {}
                if clean.get("dry_run") or clean.get("kept") or clean.get("not_made_by_labctl"):
                    clean_report(scenario, host, clean, f" on {host}")
        finish_room(f"{action} {scenario.id}", action, result, json_out=json_out, scenario=scenario.id, action=action)
        return
    raise_for_failures(result, f"{action} {scenario.id}")
    # What a role wants the user to know (say, that this host does not enforce pod limits).
    report.print_checks(
        [c for c in result.checks if c.status in ("WARN", "NOT_ENFORCED")], show_host=len(result.stats) > 1
    )
    for host in sorted(result.stats):
        clean = result.reports.get(host, {}).get("clean") or {}
        if clean.get("dry_run"):
            clean_report(scenario, host, clean, f" on {host}" if host != "localhost" else "")
            continue
        in_place = result.reports.get(host, {}).get("in_place")
        changed = [t for h, t in result.changed_tasks if h == host]
        # Tasks under no_log (they carry passwords) report no details, only to the stats.
        hidden = result.stats[host].changed - len(changed)
        where = f" on {host}" if len(result.stats) > 1 or host != "localhost" else ""
        done = {"up": "is up", "reset": "was reset", "clean": "is cleaned up", "prepare": "is prepared"}[action]
        if in_place:
            report.out.print(
                f"{scenario.id} {done}{where}: 0 changed — everything was already in place ({result.duration:.1f} s)"
            )
        elif not result.stats[host].changed:
            report.out.print(f"{scenario.id} {done}{where}: 0 changed, nothing recreated ({result.duration:.1f} s)")
        else:
            count = result.stats[host].changed
            report.out.print(f"{scenario.id} {done}{where}: {count} changed ({result.duration:.1f} s)")
            for task in changed:
                report.out.print(f"  [yellow]changed[/] {report.escape(task)}")
            if hidden > 0:
                report.out.print(f"  [yellow]changed[/] {hidden} task(s) whose details are hidden (secrets)")
        if clean:
            clean_report(scenario, host, clean, where)
