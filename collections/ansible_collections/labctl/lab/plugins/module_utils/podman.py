"""Podman, called through a given run(argv) -> (rc, stdout, stderr): the same code for a module, for
labctl's own Python and for a unit test with a fake run.

Read-only calls (inspect, exec of a given command, logs, stats) and the short-lived containers that
verify starts in a pod. Nothing here removes or changes what a student made.
"""

import json

from ansible_collections.labctl.lab.plugins.module_utils import ports as port_rules

PODMAN = "podman"
KINDS = ("pod", "container", "volume", "network", "image")


def _load(text):
    """Podman's JSON as a list: 4.3.1's `pod inspect` prints one object, everything else an array."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return None
    if isinstance(value, dict):
        return [value]
    return value if isinstance(value, list) else None


def _name_of(kind, obj):
    if kind == "network":  # netavark's JSON is lower-case
        return obj.get("name") or obj.get("Name")
    return obj.get("Name")


def _matches(kind, obj, name):
    if kind == "image":
        tags = obj.get("RepoTags") or []
        return name in tags or f"localhost/{name}" in tags or str(obj.get("Id", "")).startswith(name)
    return _name_of(kind, obj) == name


def inspect(run, kind, names):
    """{name: Podman's inspect object, or None when there is none of that name}, in one call when all exist.

    A missing name makes Podman exit non-zero; what it printed for the others is kept, and any name it
    did not print is asked alone, so one missing container never hides the rest.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    names = list(dict.fromkeys(n for n in names if n))
    found = dict.fromkeys(names)
    if not names:
        return found
    _, out, _ = run([PODMAN, kind, "inspect", "--format", "json", *names])
    for obj in _load(out) or []:
        for name in names:
            if found[name] is None and isinstance(obj, dict) and _matches(kind, obj, name):
                found[name] = obj
    if len(names) > 1:
        for name in [n for n, obj in found.items() if obj is None]:
            rc, out, _ = run([PODMAN, kind, "inspect", "--format", "json", name])
            objs = _load(out) if rc == 0 else None
            if objs and isinstance(objs[0], dict):
                found[name] = objs[0]
    return found


def exec_in(run, container, argv):
    """`podman exec CONTAINER ARGV...`: (rc, stdout, stderr)."""
    return run([PODMAN, "exec", container, *argv])


def logs(run, container, tail=20):
    """The container's last log lines (stdout and stderr as Podman gives them)."""
    return run([PODMAN, "logs", "--tail", str(int(tail)), container])


def healthcheck_run(run, container):
    """`podman healthcheck run`: rc 0 when healthy, as the course's step 5 reads it."""
    return run([PODMAN, "healthcheck", "run", container])


def run_in_pod(run, name, pod, image, argv, labels=None):
    """A short-lived container in a pod (`podman run --rm --pod`), as the course's viewers are.

    A container of that name left behind by an interrupted run is removed first. Its caller must know
    the pod is running: `podman run --pod` would start a stopped pod, changing the student's lab.
    """
    run([PODMAN, "rm", "--force", "--time", "0", name])
    label_args = [arg for key, value in sorted((labels or {}).items()) for arg in ("--label", f"{key}={value}")]
    return run([PODMAN, "run", "--rm", "--name", name, "--pod", pod, *label_args, image, *argv])


def published_ports(pod):
    """The ports a pod publishes (its infra container holds them), as
    [{'host_port': '8080', 'port': '5000', 'protocol': 'tcp', 'host_ip': ''}], sorted. Read by the one
    port parser (ports.published), which knows every way Podman says it."""
    published = [
        {
            "host_port": str(port["host_port"] + n),
            "port": str(port["container_port"] + n),
            "protocol": port["protocol"],
            "host_ip": port["host_ip"],
        }
        for port in port_rules.published({"InfraConfig": (pod or {}).get("InfraConfig") or {}})
        for n in range(port["range"])
    ]
    return sorted(published, key=lambda p: (p["host_port"], p["port"], p["protocol"]))


def port_text(port):
    """'8080->5000/tcp', as `podman ps` shows a published port."""
    return f"{port['host_port']}->{port['port']}/{port['protocol']}"


def networks_of(container):
    """The networks a container is attached to (its own view: 4.3.1's network inspect lists no containers)."""
    return sorted(((container or {}).get("NetworkSettings") or {}).get("Networks") or {})


def address_on(container, network):
    """The container's IP address on a network, or ''."""
    networks = ((container or {}).get("NetworkSettings") or {}).get("Networks") or {}
    return str((networks.get(network) or {}).get("IPAddress") or "")


def is_running(container):
    return bool(((container or {}).get("State") or {}).get("Running"))


def status_of(container):
    """'running', 'exited', 'created', ... as `podman ps` says it."""
    return str(((container or {}).get("State") or {}).get("Status") or "unknown")


def env_of(container):
    """The container's environment as a dict (the image's and the run's)."""
    pairs = ((container or {}).get("Config") or {}).get("Env") or []
    return dict(str(pair).partition("=")[::2] for pair in pairs)
