"""labctl list: the scenarios labctl knows."""

from rich.table import Table

from labctl.cli.options import Json
from labctl.core import report, scenarios


def list_scenarios(json_out: Json = False) -> None:
    """List the scenarios: id, title, host ports and images."""
    found = scenarios.load_all()
    if json_out:
        report.print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "course_ref": s.course_ref,
                    "ports": s.ports,
                    "images": s.images,
                    "builds": [b.tag for b in s.builds],
                }
                for s in found
            ]
        )
        return
    table = Table(box=None, pad_edge=False, header_style="dim")
    for column in ("id", "title", "ports", "images"):
        table.add_column(column)
    for s in found:
        images = ", ".join(i.removeprefix("docker.io/library/") for i in [*s.images, *(b.tag for b in s.builds)])
        table.add_row(s.id, s.title, ", ".join(map(str, s.ports)) or "-", images)
    report.out.print(table)
