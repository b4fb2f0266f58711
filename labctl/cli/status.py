"""labctl status: every scenario's state on this host, or a tree of one live lab."""

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from labctl.cli.options import Options, shared
from labctl.core import report, results, scenarios, survey
from labctl.core.config import Connection
from labctl.core.errors import Outcome
from labctl.core.i18n import N_, _, ngettext
from labctl.core.scenarios import Scenario
from labctl.core.status import ABSENT, FAILING, PARTIAL, UP, ScenarioState, Snapshot, assess, inspect, pod_limits

STATE_STYLE = {UP: "green", FAILING: "bold red", PARTIAL: "yellow", ABSENT: "dim"}
# A scenario's state: a stable English word in --json, these words where it is shown.
STATE_WORDS = {UP: N_("up"), FAILING: N_("up-but-failing"), PARTIAL: N_("partial"), ABSENT: N_("absent")}


@shared("json", "connect")
def status(
    scenario_id: Annotated[
        str, typer.Argument(metavar="[SCENARIO]", help="Show this scenario's live lab as a tree.", show_default=False)
    ] = "",
    *,
    opts: Options,
) -> None:
    """Without a scenario: a table of all scenarios' states. With one: a tree of its live lab.
    With -i: which exercise is up on which machine (a row per machine)."""
    conn, json_out, debug = opts.connection, opts.json, opts.debug
    if conn.remote:
        _room(scenarios.load(scenario_id) if scenario_id else None, conn, json_out, debug)
    elif scenario_id:
        _one(scenarios.load(scenario_id), json_out)
    else:
        _all(json_out)


def _room(scenario: Scenario | None, conn: Connection, json_out: bool, debug: bool) -> None:
    """Each machine's scenarios: a column per scenario, or for one scenario its state, ports and details."""
    chosen = [scenario] if scenario else scenarios.load_all(report.warn_all())
    with report.progress(_("Reading Podman's state on the machines"), debug) as on_progress:
        result, found = survey.take(conn, on_progress)
    machines = results.machines(result, "status")
    states = {host: [assess(s, snap) for s in chosen] for host, (snap, _) in found.items()}
    leftovers = {
        host: [x for x in rep.get("leftovers") or [] if isinstance(x, dict) and "path" in x]
        for host, rep in result.reports.items()
        if rep.get("leftovers")
    }
    code = results.worst(m.exit_code for m in machines)
    # Whose store each machine's lab is in, and how far its ports moved (lab_port_offset, `auto` resolved).
    offsets = {host: survey.port_offset(rep.get("port_offset")) for host, rep in result.reports.items()}
    if json_out:
        report.print_json(
            {
                "machines": {
                    m.host: {
                        "result": m.result,
                        "reason": m.reason,
                        "scenarios": [st.as_json() for st in states.get(m.host, [])],
                        "leftovers": leftovers.get(m.host, []),
                        "store": m.store,
                        "port_offset": offsets.get(m.host, 0),
                    }
                    for m in machines
                },
                "exit_code": int(code),
            }
        )
    else:
        table = Table(box=None, pad_edge=False, header_style="dim")
        columns = [_("state"), _("ports held"), _("details")] if scenario else [s.id for s in chosen]
        for column in [_("machine"), *columns]:
            table.add_column(column)
        for m in machines:
            label = report.escape(m.host)
            if m.store or offsets.get(m.host):
                moved = _(", ports +{offset}").format(offset=offsets[m.host]) if offsets.get(m.host) else ""
                label += f" [dim]({report.escape(m.store)}{report.escape(str(moved))})[/]"
            if m.host not in states:
                table.add_row(label, f"[red]{report.escape(results.result_word(m.result))}[/]")
            elif scenario:
                st = states[m.host][0]
                details = _details(st)
                ports = ", ".join(map(str, st.ports)) or "-"
                table.add_row(label, _state(st.state), ports, report.escape(details))
            else:
                table.add_row(label, *(_state(st.state) for st in states[m.host]))
        report.out.print(table)
        for m in machines:
            if m.host not in states:
                word = results.result_word(m.result)
                report.out.print(f"[red]{report.escape(m.host)}: {report.escape(word)}[/] — {report.escape(m.reason)}")
        for host, left in leftovers.items():
            what = ", ".join(f"{x['path']} ({x['bytes'] / 1e6:.0f} MB)" for x in left)
            line = _(
                "{host}: an interrupted labctl run left image archives there: {what}; the next labctl run on it "
                "removes them."
            ).format(host=host, what=what)
            report.out.print(f"[yellow]{report.escape(line)}[/]")
        up = {
            s.id: sum(st.state == UP for host in states for st in states[host] if st.scenario.id == s.id)
            for s in chosen
        }
        answered = ngettext(
            "{n} of {total} machine(s) answered; up: {where}",
            "{n} of {total} machine(s) answered; up: {where}",
            len(machines),
        ).format(
            n=len(states),
            total=len(machines),
            where=", ".join(_("{scenario} on {n}").format(scenario=sid, n=count) for sid, count in up.items()),
        )
        report.note(stdout=True, text=report.escape(answered))
    if code:
        raise Outcome(code)


def _state(state: str) -> str:
    return f"[{STATE_STYLE[state]}]{report.escape(_(STATE_WORDS[state]))}[/]"


def _details(st: ScenarioState) -> str:
    """What is missing (unless nothing is there) and what is wrong with a scenario, in the language shown."""
    missing = [_("missing {what}").format(what=report.item_words(x)) for x in st.missing if st.state != ABSENT]
    return "; ".join([*missing, *st.problems])


def _all(json_out: bool) -> None:
    found = scenarios.load_all(report.warn_all())
    snap = Snapshot.take(found)
    states = [assess(s, snap) for s in found]
    if json_out:
        report.print_json([s.as_json() for s in states])
        return
    table = Table(box=None, pad_edge=False, header_style="dim")
    for column in (_("id"), _("state"), _("ports held"), _("details")):
        table.add_column(column)
    for st in states:
        details = _details(st)
        table.add_row(
            st.scenario.id,
            _state(st.state),
            ", ".join(map(str, st.ports)) or "-",
            report.escape(details) or "",
        )
    report.out.print(table)


def _container_line(ctr: dict[str, Any], detail: dict[str, Any]) -> str:
    health = (detail.get("State", {}).get("Health") or {}).get("Status") or ""
    state = ctr.get("State", "?") + (f" ({ctr.get('ExitCode')})" if ctr.get("State") == "exited" else "")
    mounts = ", ".join(
        f"{m.get('Name') or m.get('Source')} -> {m.get('Destination')}"
        for m in detail.get("Mounts") or []
        if m.get("Type") in ("volume", "bind")
    )
    # A container inherits its image's labels: this one runs a look-alike (or an image built on one).
    lookalike = ((detail.get("Config") or {}).get("Labels") or {}).get("io.labctl.lookalike") == "true"
    image = report.escape(ctr.get("Image", "")) + (f" [magenta]({_('look-alike')})[/]" if lookalike else "")
    state = report.escape(state)
    name = report.escape(ctr["Names"][0])
    line = f"[bold]{name}[/]  {image}  [{'green' if state == 'running' else 'red'}]{state}[/]"
    if health:
        line += f" [{'green' if health == 'healthy' else 'yellow'}]({report.escape(health)})[/]"
    return line + (f"  [dim]{report.escape(mounts)}[/]" if mounts else "")


def _limits_line(pod_detail: dict[str, Any]) -> str:
    path = pod_detail.get("CgroupPath") or ""
    limits = pod_limits(path) if path else {"found": False}
    if not limits.get("found"):
        return f"[dim]{_('limits: none enforced (no pod cgroup)')}[/]"
    memory = limits["memory_bytes"]
    cpus = limits["cpus"]
    read = ", ".join(f"{name} = {value}" for name, value in (limits.get("files") or {}).items() if value is not None)
    line = _("limits: memory {memory}, CPU {cpus}").format(
        memory=f"{memory / 1048576:.0f} MiB" if memory else _("none"), cpus=f"{cpus:g}" if cpus else _("none")
    )
    return line + (f"  [dim]({read})[/]" if read else "")


def _one(scenario: Scenario, json_out: bool) -> None:
    snap = Snapshot.take([scenario])
    st = assess(scenario, snap)
    res = scenario.resource_names()
    names = [n for n in res.containers if n in snap.containers]
    pods = [p for p in res.pods if p in snap.pods]
    infra = [snap.pods[p]["InfraId"] for p in pods if snap.pods[p].get("InfraId")]
    details = {d["Name"]: d for d in inspect("container", names + infra)}
    pod_details = {d["Name"]: d for d in inspect("pod", pods)}
    if json_out:
        report.print_json(
            {
                **st.as_json(),
                "pods": pod_details,
                "containers": details,
                "networks": {n: snap.networks[n] for n in res.networks if n in snap.networks},
                "volumes": {v: snap.volumes[v] for v in res.volumes if v in snap.volumes},
            }
        )
        return
    tree = Tree(f"[bold]{scenario.id}[/] {report.escape(scenario.title)}: {_state(st.state)}")
    for pod in pods:
        info, detail = snap.pods[pod], pod_details.get(pod, {})
        infra_detail = next((d for d in details.values() if d.get("Id") == info.get("InfraId")), {})
        ip = next(
            (
                n.get("IPAddress")
                for n in (infra_detail.get("NetworkSettings", {}).get("Networks") or {}).values()
                if n.get("IPAddress")
            ),
            "",
        )
        ports = ", ".join(
            f"{b[0]['HostPort']}->{p}"
            for p, b in ((detail.get("InfraConfig") or {}).get("PortBindings") or {}).items()
            if b
        )
        shared = ",".join(sorted(detail.get("SharedNamespaces") or []))
        about = [str(info.get("Status"))]
        about += [_("IP {ip}").format(ip=ip)] if ip else []
        about += [_("ports {ports}").format(ports=ports)] if ports else []
        about += [_("shares {namespaces}").format(namespaces=shared)] if shared else []
        branch = tree.add(f"{report.kind_word('pod')} [bold]{pod}[/] ({report.escape(', '.join(about))})")
        for ctr in sorted(
            (c for c in snap.containers.values() if c.get("PodName") == pod and not c.get("IsInfra")),
            key=lambda c: c["Names"][0],
        ):
            branch.add(_container_line(ctr, details.get(ctr["Names"][0], {})))
        infra_ctr = next((c for c in snap.containers.values() if c.get("PodName") == pod and c.get("IsInfra")), None)
        if infra_ctr:
            branch.add(f"[dim]{_('infra {name}').format(name=infra_ctr['Names'][0])}  {infra_ctr.get('State')}[/]")
        branch.add(_limits_line(detail))
    for ctr_name in names:
        ctr = snap.containers[ctr_name]
        if ctr.get("PodName") not in pods:
            nets = ", ".join(ctr.get("Networks") or []) or _("no network")
            tree.add(
                _container_line(ctr, details.get(ctr_name, {}))
                + f"  [dim]{_('on {networks}').format(networks=nets)}[/]"
            )
    for net in res.networks:
        if net in snap.networks:
            subnets = ", ".join(s.get("subnet", "") for s in snap.networks[net].get("subnets") or [])
            dns = _("DNS on") if snap.networks[net].get("dns_enabled") else _("DNS off")
            tree.add(
                f"{report.kind_word('network')} [bold]{net}[/] ({snap.networks[net].get('driver')}, {subnets}, {dns})"
            )
    for vol in res.volumes:
        if vol in snap.volumes:
            tree.add(f"{report.kind_word('volume')} [bold]{vol}[/] ({snap.volumes[vol].get('Mountpoint', '')})")
    for missing in st.missing:
        tree.add(f"[yellow]{report.escape(_('missing: {what}').format(what=report.item_words(missing)))}[/]")
    report.out.print(tree)
