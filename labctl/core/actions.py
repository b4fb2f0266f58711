"""Run a labctl action (up, verify, reset, clean, host check/setup) through Ansible."""

import hashlib
import json
import os
import shutil
import subprocess
import time
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import fingerprints, records

from labctl.core import lock, podman
from labctl.core.config import Connection
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.events import ProgressCallback
from labctl.core.i18n import _
from labctl.core.images import controller_cache
from labctl.core.lookalikes import LABEL
from labctl.core.paths import collection_dir, content_dir, state_dir
from labctl.core.results import HostStats, RunResult
from labctl.core.runner import run_playbook
from labctl.core.scenarios import Scenario

SCENARIO_ACTIONS = ("up", "verify", "reset", "clean", "prepare")


def content_hash(scenario: Scenario, overrides: dict[str, Any]) -> str:
    """Hash of everything that decides what `up` builds: scenario file, role, plugins, playbooks, overrides.

    Paths are hashed relative to their folder, so two checkouts (or a checkout and a wheel) of the
    same content agree. A second `up` with the same hash may take the fast path.
    """
    digest = hashlib.sha256()
    content = content_dir()
    bases = [scenario.role_path(), collection_dir().parent, content / "playbooks"]
    if scenario.source:
        digest.update(scenario.source.read_bytes())
    for base in bases:
        # Only what Ansible reads: Podman's conmon writes an `oom` file into the playbooks folder
        # (Ansible's working folder) when ex4's probe is killed, and caches are no content either.
        files = (p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in sorted(p for p in files if base != content / "playbooks" or p.suffix == ".yml"):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps(overrides, sort_keys=True).encode())
    return digest.hexdigest()


def quick_look(scenario: Scenario, digest: str) -> str | None:
    """A second `up` on this machine: the playbook's first look, done without starting Ansible.

    The same library (labctl.lab's fingerprints), the same record and the same answer as the playbook's
    probe: "" when everything is in place, else why not; None when it cannot tell (the playbook then decides).
    """
    run = podman.local_run if shutil.which("podman") else None
    kinds = ("networks", "pods", "containers", "volumes")
    resources = {kind: scenario.names(kind) for kind in kinds}
    path = records.record_path(scenario.id)
    try:
        return fingerprints.why_not_in_place(run, path, digest, resources, fingerprints.look(run, resources))
    except (fingerprints.PodmanError, OSError, ValueError, subprocess.SubprocessError):
        return None


def _in_place_result(scenario: Scenario, started: float) -> RunResult:
    return RunResult(
        status="successful",
        rc=0,
        duration=time.monotonic() - started,
        artifacts=state_dir(),
        stats={"localhost": HostStats(ok=1)},
        reports={"localhost": {"in_place": True, "not_in_place_because": ""}},
        hosts=["localhost"],
    )


def run_scenario_action(
    scenario: Scenario,
    action: str,
    *,
    overrides: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    fast_path: bool = True,
    inventory: str | None = None,
    limit: str | None = None,
    on_progress: ProgressCallback | None = None,
    verbosity: int = 0,
    wait: bool = True,
    connection: Connection | None = None,
) -> RunResult:
    """Run one action; `overrides` set role variables (--var), `options` the playbook's lab_* switches.
    `connection` (-i, -l, --become, --forks, …) replaces `inventory`, `limit` and `verbosity` when given."""
    if connection is not None:
        inventory, limit = connection.inventory, connection.limit
    if action not in SCENARIO_ACTIONS:
        raise LabctlError(
            _("Unknown action '{action}'; use one of {known}.").format(
                action=action, known=", ".join(SCENARIO_ACTIONS)
            ),
            ExitCode.USAGE,
        )
    overrides = overrides or {}
    digest = content_hash(scenario, overrides) if fast_path and action in ("up", "reset") else ""
    looked, reason = False, None
    # The quick look reads this account's store: it answers only for a run on that store (with -b,
    # a normal user's run works on root's store).
    # With a lab user, the store is that user's, never this account's.
    own_store = connection is None or (not connection.lab_user and (not connection.become or os.geteuid() == 0))
    if action == "up" and digest and inventory is None and limit is None and own_store:
        started = time.monotonic()
        with lock.hold(wait=wait):
            reason = quick_look(scenario, digest)
        if reason == "":
            return _in_place_result(scenario, started)
        looked = reason is not None  # the playbook need not look again
    extravars: dict[str, Any] = {
        **overrides,
        **(options or {}),
        **(
            controller_images([scenario], action, options or {}, on_progress, wait)
            if inventory is not None and action in ("up", "reset", "prepare")
            else {}
        ),
        "lab_scenario": scenario.as_extravar(),
        # labctl decides the exit code from the checks; the playbook's final assertion is for Molecule.
        "lab_verify_fails_run": False,
        "lab_content_hash": digest,
        "lab_looked": looked,
        # the quick look found no finished up of the scenario on this store: what is there is a leftover
        "lab_unfinished": looked and reason == fingerprints.NO_RECORD,
    }
    result = run_playbook(
        f"{action}.yml",  # one playbook per verb, listing its steps
        extravars,
        label=f"{action}-{scenario.id}",
        inventory=inventory,
        limit=limit,
        on_progress=on_progress,
        verbosity=verbosity,
        wait=wait,
        connection=connection,
    )
    if looked:  # say why the quick look found the lab not in place, as the playbook's look would
        result.reports.setdefault("localhost", {}).update(in_place=False, not_in_place_because=reason)
    return result


def controller_images(
    scenarios: list[Scenario], action: str, options: dict[str, Any], on_progress: ProgressCallback | None, wait: bool
) -> dict[str, Any]:
    """Pull and build the scenarios' images once, here, for the machines of an inventory to copy.

    Best effort: a controller without Podman or without a registry hands over what it has, and the
    machines pull the rest themselves (through their mirror, if the inventory names one).
    """
    try:
        pull = "never" if options.get("lab_pull") == "never" else "missing"
        ca = {k: v for k, v in options.items() if k == "lab_ca_bundle"}
        run_images_action(scenarios, pull=pull, on_progress=on_progress, wait=wait, settings=ca)
        store = podman.Podman().images()
        with lock.hold(wait=wait):  # no other run of this account is writing an archive while they are swept
            cache = controller_cache({i["Id"] for i in store.values()})
    except LabctlError:
        return {}
    refs = [
        *(r for s in scenarios for r in s.pulled_images),
        *(b.tag for s in scenarios for b in s.builds.values() if not (action == "prepare" and b.by_student)),
    ]
    images = [
        {"ref": r, "id": store[r]["Id"], "lookalike": store[r]["Labels"].get(LABEL) == "true"}
        for r in dict.fromkeys(refs)
        if r in store
    ]
    return {
        "lab_controller_images": images,
        "lab_image_cache": str(cache),
        # The controller's own Podman saves them, in its own environment (the machines' tasks get the lab user's).
        "lab_controller_runtime_dir": os.environ.get("XDG_RUNTIME_DIR", ""),
        "lab_controller_bus": os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""),
    }


def run_host_action(
    action: str,
    scenarios: list[Scenario],
    *,
    rootless_user: str | None = None,
    inventory: str | None = None,
    limit: str | None = None,
    on_progress: ProgressCallback | None = None,
    verbosity: int = 0,
    wait: bool = True,
    connection: Connection | None = None,
    settings: dict[str, Any] | None = None,
) -> RunResult:
    """host check | setup | undo (`labctl host setup --undo`) on every host of the inventory.

    `settings` are the host role's variables from options (e.g. host_registry_mirror)."""
    if action not in ("check", "setup", "undo"):
        raise ValueError(f"unknown host action {action!r}")
    extravars: dict[str, Any] = {"lab_host_action": action}
    if action != "undo":  # undo removes labctl's files and looks at nothing else
        extravars["host_port_checks"] = [
            {"scenario": s.id, "ports": s.host_ports, "pods": s.names("pods"), "containers": s.names("containers")}
            for s in scenarios
            if s.ports
        ]
    if rootless_user:
        extravars["host_rootless_user"] = rootless_user
    extravars.update(settings or {})
    return run_playbook(
        "host.yml",
        extravars,
        label=f"host-{action}",
        inventory=inventory,
        limit=limit,
        on_progress=on_progress,
        verbosity=verbosity,
        wait=wait,
        connection=connection,
    )


def run_images_action(
    scenarios: list[Scenario],
    *,
    pull: str = "missing",
    on_progress: ProgressCallback | None = None,
    wait: bool = True,
    connection: Connection | None = None,
    settings: dict[str, Any] | None = None,
) -> RunResult:
    """Get the scenarios' images onto every host: pulled as `pull` says, built from the exercises' files.
    `settings`: the playbook's lab_* switches (lab_ca_bundle)."""
    return run_playbook(
        "images.yml",
        {"lab_scenarios": [s.as_extravar() for s in scenarios], "lab_pull": pull, **(settings or {})},
        label="images",
        on_progress=on_progress,
        wait=wait,
        connection=connection,
    )
