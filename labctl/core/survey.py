"""status -i and list -i: Podman's state on every machine of an inventory, in one Ansible run."""

from typing import Any

from labctl.core.config import Connection
from labctl.core.events import ProgressCallback
from labctl.core.results import RunResult
from labctl.core.runner import run_playbook
from labctl.core.status import Snapshot


def take(connection: Connection, on_progress: ProgressCallback | None = None) -> tuple[RunResult, dict[str, Any]]:
    """The run, and per machine that answered: (Snapshot, the image names it has). What interrupted
    runs left on a machine is in result.reports[host]["leftovers"] ({path, bytes} each)."""
    result = run_playbook(
        "status.yml", {}, label="status", on_progress=on_progress, connection=connection, lock_store=False
    )
    found: dict[str, Any] = {}
    for host, report in result.reports.items():
        listings = report.get("listings") or {}
        snap = Snapshot(
            containers={c["Names"][0]: c for c in listings.get("containers") or []},
            pods={p["Name"]: p for p in listings.get("pods") or []},
            networks={n["name"]: n for n in listings.get("networks") or []},
            volumes={v["Name"]: v for v in listings.get("volumes") or []},
        )
        images = {name for image in listings.get("images") or [] for name in image.get("Names") or []}
        found[host] = (snap, images)
    return result, found


def port_offset(raw: Any) -> int:
    """A machine's port offset as its survey reported it (0 when none, or not a number: up names that)."""
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return 0
