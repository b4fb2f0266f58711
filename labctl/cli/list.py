"""labctl list: the scenarios labctl knows, and whether this host has what each needs."""

from rich.table import Table

from labctl.cli.options import Options, shared
from labctl.core import report, results, scenarios, survey
from labctl.core.config import Connection
from labctl.core.errors import LabctlError
from labctl.core.i18n import N_, _
from labctl.core.scenarios import Scenario
from labctl.core.status import Snapshot, assess, images_present, port_free


def prerequisites(found: list[Scenario]) -> dict[str, list[str]]:
    """Per scenario, what is missing on this host before `labctl up` (empty: ready)."""
    try:
        snap = Snapshot.take(found)
        images = images_present()
    except LabctlError as exc:
        return {s.id: [exc.message.split(":")[0]] for s in found}
    gaps: dict[str, list[str]] = {}
    for s in found:
        own_ports = set(assess(s, snap).ports)
        gaps[s.id] = [
            _("image {image} not here (up pulls it)").format(image=i) for i in s.pulled_images if i not in images
        ]
        gaps[s.id] += [
            _("port {port} in use").format(port=p) for p in s.host_ports if p not in own_ports and not port_free(p)
        ]
    return gaps


def moved_ports(scenario: Scenario, offsets: dict[str, int]) -> dict[str, list[int]]:
    """The host ports each machine's lab takes where its lab_port_offset moved them (0: not listed)."""
    return {host: [p + off for p in scenario.host_ports] for host, off in sorted(offsets.items()) if off}


def room_prerequisites(
    found: list[Scenario], conn: Connection, debug: bool
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Per scenario, what the machines of the inventory lack before `labctl up` (images; ports are
    checked by up's preflight on each machine), and which machines could not be asked; and each
    machine's port offset (its lab_port_offset, `auto` resolved there)."""
    with report.progress(_("Reading Podman's state on the machines"), debug) as on_progress:
        result, answered = survey.take(conn, on_progress)
    offsets = {host: survey.port_offset((result.reports.get(host) or {}).get("port_offset")) for host in answered}
    silent = [
        f"{m.host}: {results.result_word(m.result)}" for m in results.machines(result, "list") if m.host not in answered
    ]
    gaps: dict[str, list[str]] = {}
    for s in found:
        gaps[s.id] = [
            _("{host}: image {image} not there (up brings it)").format(host=host, image=i)
            for host, (_snap, images) in answered.items()
            for i in s.pulled_images
            if i not in images
        ] + silent
    return gaps, offsets


@shared("json", "connect")
def list_scenarios(
    *,
    opts: Options,
) -> None:
    """List the scenarios: id, title, host ports, images, and whether this host (or with -i, every
    machine of the inventory) is ready for each."""
    conn, json_out, debug = opts.connection, opts.json, opts.debug
    found = scenarios.load_all(report.warn_all())
    offsets: dict[str, int] = {}
    if conn.remote:
        gaps, offsets = room_prerequisites(found, conn, debug)
    else:
        gaps = prerequisites(found)
    if json_out:
        report.print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "course_ref": s.course_ref,
                    "ports": s.host_ports,
                    "moved_ports": moved_ports(s, offsets),  # host -> its ports, where lab_port_offset moved them
                    "images": s.pulled_images,
                    "builds": s.built_images,
                    "ready": not gaps[s.id],
                    "missing": gaps[s.id],
                }
                for s in found
            ]
        )
        return
    table = Table(box=None, pad_edge=False, header_style="dim")
    for column in (N_("id"), N_("title"), N_("ports"), N_("images"), N_("ready")):
        table.add_column(_(column))
    for s in found:
        images = ", ".join(i.removeprefix("docker.io/library/") for i in [*s.pulled_images, *s.built_images])
        not_ready = _("no: {missing}").format(missing="; ".join(gaps[s.id]))
        ready = f"[green]{_('yes')}[/]" if not gaps[s.id] else f"[yellow]{report.escape(not_ready)}[/]"
        ports = ", ".join(map(str, s.host_ports)) or "-"
        for host, moved in moved_ports(s, offsets).items():
            ports += f"; {report.escape(host)}: {', '.join(map(str, moved))}"
        table.add_row(s.id, s.title, ports, images, ready)
    report.out.print(table)
