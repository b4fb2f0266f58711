"""What the scenario verbs share: run one action and present its result."""

from typing import Any

import typer

from labctl.core import report
from labctl.core.actions import raise_for_failures, run_scenario_action
from labctl.core.errors import ExitCode
from labctl.core.runner import RunResult
from labctl.core.scenarios import Scenario

VERB_TITLE = {
    "up": "Setting up",
    "verify": "Verifying",
    "reset": "Resetting",
    "clean": "Cleaning",
    "prepare": "Preparing",
}


def run_action(
    scenario: Scenario,
    action: str,
    *,
    debug: bool,
    inventory: str | None,
    limit: str | None,
    overrides: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    fast_path: bool = True,
) -> RunResult:
    title = f"{VERB_TITLE[action]} {scenario.id} ({scenario.title})"
    with report.progress(title, debug) as on_progress:
        return run_scenario_action(
            scenario,
            action,
            overrides=overrides,
            options=options,
            fast_path=fast_path,
            inventory=inventory,
            limit=limit,
            on_progress=on_progress,
            verbosity=1 if debug else 0,
        )


def finish_provisioning(scenario: Scenario, action: str, result: RunResult, *, json_out: bool) -> None:
    """Report an up/reset/clean: a summary line per host, or JSON; raise on failure."""
    if json_out:
        report.print_json(report.result_json(result, scenario=scenario.id, action=action))
        if not result.ok:
            raise typer.Exit(ExitCode.UNREACHABLE if result.unreachable else ExitCode.FAILED)
        return
    raise_for_failures(result, f"{action} {scenario.id}")
    # What a role wants the user to know (say, that this host does not enforce pod limits).
    report.print_checks(
        [c for c in result.checks if c.status in ("WARN", "NOT_ENFORCED")], show_host=len(result.stats) > 1
    )
    for host in sorted(result.stats):
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
