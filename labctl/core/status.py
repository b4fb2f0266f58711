"""The live state of the labs, straight from Podman (a few JSON listings, no Ansible): for `status` and `list`."""

import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.labctl.lab.plugins.module_utils import cgroups

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.podman import Podman
from labctl.core.scenarios import Scenario
from labctl.core.secrets import redact

ABSENT, PARTIAL, UP, FAILING = "absent", "partial", "up", "up-but-failing"


def podman_json(*args: str) -> Any:
    if not shutil.which("podman"):
        raise LabctlError(
            _("Podman is not installed: run `labctl host setup` (as root), then try again."), ExitCode.HOST_NOT_READY
        )
    try:
        proc = subprocess.run(["podman", *args, "--format", "json"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise LabctlError(
            _(
                "`podman {command}` did not answer within 60 s: Podman may hang; look at the host, then try again."
            ).format(command=" ".join(args)),
            ExitCode.HOST_NOT_READY,
        ) from exc
    if proc.returncode != 0:
        raise LabctlError(
            _("`podman {command}` failed: {problem}; run `labctl host check`.").format(
                command=" ".join(args), problem=proc.stderr.strip().splitlines()[-1:]
            ),
            ExitCode.HOST_NOT_READY,
        )
    return json.loads(proc.stdout or "null")


@dataclass
class Snapshot:
    """One look at Podman: containers (with their pods), pods, and networks and volumes when asked for."""

    containers: dict[str, dict[str, Any]]
    pods: dict[str, dict[str, Any]]
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def take(cls, scenarios: list[Scenario]) -> "Snapshot":
        containers = {c["Names"][0]: c for c in podman_json("ps", "-a", "--pod") or []}
        pods = {p["Name"]: p for p in podman_json("pod", "ps") or []}
        snap = cls(containers, pods)
        if any(s.resources.networks for s in scenarios):
            snap.networks = {n["name"]: n for n in podman_json("network", "ls") or []}
        if any(s.resources.volumes for s in scenarios):
            snap.volumes = {v["Name"]: v for v in podman_json("volume", "ls") or []}
        return snap


@dataclass
class ScenarioState:
    scenario: Scenario
    state: str
    missing: list[str]
    problems: list[str]
    ports: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.scenario.id,
            "title": self.scenario.title,
            "state": self.state,
            "missing": self.missing,
            "problems": self.problems,
            "ports": self.ports,
        }


def container_problem(ctr: dict[str, Any]) -> str:
    if ctr.get("State") != "running":
        if ctr.get("State") == "exited":
            return _("{name} is {state} ({code})").format(
                name=ctr["Names"][0], state=ctr.get("State"), code=ctr.get("ExitCode")
            )
        return _("{name} is {state}").format(name=ctr["Names"][0], state=ctr.get("State"))
    if "(unhealthy)" in str(ctr.get("Status", "")):
        return _("{name} is unhealthy").format(name=ctr["Names"][0])
    return ""


def assess(scenario: Scenario, snap: Snapshot) -> ScenarioState:
    res = scenario.resource_names()
    wanted = (
        [("pod", n, snap.pods) for n in res.pods]
        + [("container", n, snap.containers) for n in res.containers]
        + [("network", n, snap.networks) for n in res.networks]
        + [("volume", n, snap.volumes) for n in res.volumes]
    )
    missing = [f"{kind} {name}" for kind, name, found in wanted if name not in found]
    problems = [p for p in (container_problem(snap.containers[n]) for n in res.containers if n in snap.containers) if p]
    problems += [
        _("pod {name} is {state}").format(name=n, state=snap.pods[n].get("Status", "?").lower())
        for n in res.pods
        if n in snap.pods and snap.pods[n].get("Status") != "Running"
    ]
    ports = sorted(
        {
            int(m["host_port"])
            for c in snap.containers.values()
            if c.get("PodName") in res.pods or c["Names"][0] in res.containers
            for m in c.get("Ports") or []
        }
    )
    if len(missing) == len(wanted):
        state = ABSENT
    elif missing:
        state = PARTIAL
    else:
        state = FAILING if problems else UP
    return ScenarioState(scenario, state, missing, problems, ports)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def images_present() -> set[str]:
    """The names of the images in this store (Podman's one listing, as `labctl images` reads it)."""
    return set(Podman().images())


def pod_limits(cgroup_path: str) -> dict[str, Any]:
    # A rootless pod's cgroup sits under the user's systemd manager (cgroup v2): uid finds it there.
    return cgroups.read_pod_limits(cgroups.layout()["version"], cgroup_path, uid=os.geteuid())


def inspect(kind: str, names: list[str]) -> list[dict[str, Any]]:
    """`podman <kind> inspect` for names known to exist (one call per kind; pods one by one in 4.3),
    with secrets masked: a container's Config.Env holds MYSQL_ROOT_PASSWORD=…"""
    if not names:
        return []
    if kind == "pod":
        found = [podman_json("pod", "inspect", n) for n in names]
        return redact([p[0] if isinstance(p, list) else p for p in found])
    return redact(podman_json(kind, "inspect", *names) or [])
