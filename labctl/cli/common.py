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
    wait: bool = True,
) -> RunResult:
    title = f"{VERB_TITLE[action]} {scenario.id} ({scenario.title})"
    with report.progress(title, debug) as on_progress:
        return run_scenario_action(
            scenario,
            action,
            overrides=overrides,
            options=options,
            fast_path=fast_path,
            wait=wait,
            inventory=inventory,
            limit=limit,
            on_progress=on_progress,
            verbosity=1 if debug else 0,
        )


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
