"""Host ports: what a pod or container publishes, who holds a port, and a host's port offset.

Podman says "published" two ways: a listing (`podman ps --format json`: Ports, a list of
{host_ip, container_port, host_port, range, protocol}) and inspect (PortBindings, a mapping
"5000/tcp" -> [{HostIp, HostPort}], under a pod's InfraConfig or a container's HostConfig or
NetworkSettings.Ports). published() reads either into one shape; everything else builds on it.
"""

import json
import re

from ansible_collections.labctl.lab.plugins.module_utils import reasons

MAX_PORT_OFFSET = 50000
_SS_USERS = re.compile(r'\("([^"]+)",pid=(\d+)')


def _bindings(obj):
    """The PortBindings mapping of an inspect object (pod or container), or the mapping itself."""
    if not isinstance(obj, dict):
        return {}
    for path in (("InfraConfig", "PortBindings"), ("HostConfig", "PortBindings"), ("NetworkSettings", "Ports")):
        value = obj
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value:
            return value
    if obj and all(re.fullmatch(r"\d+(/\w+)?", str(k)) for k in obj):
        return obj
    return {}


def published(obj):
    """[{host_ip, host_port, container_port, protocol, range}] from a listing entry or an inspect object."""
    if not isinstance(obj, dict):
        return []
    if "Ports" in obj and isinstance(obj.get("Ports"), list | type(None)):
        return [
            {
                "host_ip": port.get("host_ip") or "",
                "host_port": int(port.get("host_port") or 0),
                "container_port": int(port.get("container_port") or 0),
                "protocol": port.get("protocol") or "tcp",
                "range": int(port.get("range") or 1),
            }
            for port in obj.get("Ports") or []
        ]
    ports = []
    for key, binds in sorted(_bindings(obj).items()):
        number, _, protocol = str(key).partition("/")
        for bind in binds or []:
            if not str(bind.get("HostPort") or "").isdigit():
                continue
            ports.append(
                {
                    "host_ip": bind.get("HostIp") or "",
                    "host_port": int(bind["HostPort"]),
                    "container_port": int(number),
                    "protocol": protocol or "tcp",
                    "range": 1,
                }
            )
    return ports


def port_text(port):
    """A published port as a student writes it: 8080 -> 5000 (with the host IP and /udp when set)."""
    span = int(port.get("range") or 1) - 1
    host, ctr = int(port.get("host_port", 0)), int(port.get("container_port", 0))
    text = f"{host}-{host + span} -> {ctr}-{ctr + span}" if span else f"{host} -> {ctr}"
    if port.get("host_ip"):
        text = f"{port['host_ip']}:{text}"
    return text if port.get("protocol", "tcp") == "tcp" else f"{text}/{port['protocol']}"


def host_ports(port):
    """Every host port one published entry holds (a range holds several)."""
    return list(range(int(port["host_port"]), int(port["host_port"]) + int(port.get("range") or 1)))


def publishes(obj, host_port, container_port=None):
    """Whether the pod or container publishes host_port (to container_port, when given)."""
    return any(
        host_port in host_ports(p) and (container_port is None or p["container_port"] == int(container_port))
        for p in published(obj)
    )


# --- Who holds a host port -------------------------------------------------------------------------


def listeners(ss_output, ports):
    """{port: (process, pid)} of the listening TCP sockets `ss -Hltnp` shows on the wanted ports."""
    held = {}
    for line in (ss_output or "").splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        port = fields[3].rsplit(":", 1)[-1]
        if port.isdigit() and int(port) in ports:
            match = _SS_USERS.search(line)
            held.setdefault(int(port), (match.group(1), int(match.group(2))) if match else ("", 0))
    return held


def podman_owners(listing):
    """{host port: {pod, container}} from `podman ps --pod --format json`.

    A pod's containers all show the pod's ports: name the pod, or a container that is not infra."""
    owners = {}
    for ctr in listing or []:
        for port in published(ctr):
            owner = {"pod": ctr.get("PodName") or "", "container": (ctr.get("Names") or [""])[0]}
            for number in host_ports(port):
                if number not in owners or not ctr.get("IsInfra"):
                    owners[number] = owner
    return owners


def holders(ports, held, owners):
    """One entry per port: {port, free, process, pid, pod, container}."""
    result = []
    for port in ports:
        process, pid = held.get(port, ("", 0))
        owner = owners.get(port, {})
        result.append(
            {
                "port": port,
                "free": port not in held and not owner,
                "process": process,
                "pid": pid,
                "pod": owner.get("pod", ""),
                "container": owner.get("container", ""),
            }
        )
    return result


# --- A host's port offset (several students' labs on one machine) ----------------------------------


class OffsetError(ValueError):
    """A lab_port_offset that cannot be: str() is the English sentence, `said` the same as data."""

    def __init__(self, said):
        super().__init__(reasons.english(said))
        self.said = said


def port_offset(value, host, ports):
    """The host's lab_port_offset as an int (0 when unset); OffsetError with one sentence when wrong."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PORT_OFFSET:
        shown = value if not isinstance(value, str) else value[:40]
        raise OffsetError(reasons.said("offset_not_a_number", host=host, most=MAX_PORT_OFFSET, value=repr(shown)))
    top = max((int(p) for p in ports), default=0)
    if top + value > 65535:
        raise OffsetError(reasons.said("offset_too_far", offset=value, host=host, port=top, most=65535 - top))
    return value


def verdict(found, check, offset=0):
    """Whether a scenario's ports are free or its own: {ok, ports, expected, found, hint, problem}.

    found: holders() entries; check: {scenario, ports (the file's numbers), pods, containers}, or a
    list of them (then the first that is not ok, else the last: up's preflight stops on the first).
    problem: the sentence that stops up, "" when ok."""
    if isinstance(check, list):
        verdicts = [verdict(found, one, offset) for one in check if one.get("ports")]
        return next((v for v in verdicts if not v["ok"]), verdicts[-1] if verdicts else _free([], ""))
    wanted = [int(p) + offset for p in check.get("ports") or []]
    need = [h for h in found if h["port"] in wanted]
    pods = [p for p in check.get("pods") or [] if p]
    containers = [c for c in check.get("containers") or [] if c]
    foreign = [
        h for h in need if not h["free"] and not (h["pod"] and h["pod"] in pods) and h["container"] not in containers
    ]
    scenario = check.get("scenario", "")
    verdict_free = _free(wanted, scenario)
    if not foreign:
        held = not all(h["free"] for h in need)
        words = reasons.said("host_held_by_itself", scenario=scenario) if held else reasons.said("host_free")
        return {**verdict_free, "found": reasons.words(words), "words": {**verdict_free["words"], "found": words}}
    first = foreign[0]
    port = first["port"]
    if first["pod"]:
        by = reasons.said("port_by_pod", port=port, pod=first["pod"])
        hint = reasons.said("remove_pod", pod=first["pod"])
    elif first["container"]:
        by = reasons.said("port_by_container", port=port, container=first["container"])
        hint = reasons.said("remove_container", container=first["container"])
    elif first["pid"]:
        by = reasons.said("port_by_process", port=port, process=first["process"], pid=first["pid"])
        hint = reasons.said("stop_process")
    else:
        by = reasons.said("port_by_unseen", port=port)
        hint = reasons.said("stop_process")
    said = reasons.said("port_stop", found=by, scenario=scenario, hint=hint)
    then = reasons.said("host_then_try_again", hint=hint)
    return {
        **verdict_free,
        "ok": False,
        "found": reasons.words(by),
        "hint": reasons.words(then),
        "problem": reasons.english(said),
        "said": said,  # the problem as data: labctl says it in the language it shows
        "words": {**verdict_free["words"], "found": by, "hint": then},
    }


def _free(wanted, scenario):
    """The verdict of free ports; `words` holds its texts as saids (module_utils.reasons) for labctl.lab.check."""
    expected = reasons.said("host_ports_expected", ports=", ".join(map(str, wanted)), scenario=scenario)
    return {
        "ok": True,
        "ports": wanted,
        "expected": reasons.words(expected),
        "found": reasons.words(reasons.said("host_free")),
        "hint": "",
        "problem": "",
        "said": None,
        "words": {
            "name": reasons.said("host_ports_of", scenario=scenario, ports=", ".join(map(str, wanted))),
            "expected": expected,
            "found": reasons.said("host_free"),
            "hint": "",
        },
    }


def who_holds(run, ports, ss="ss", podman=None):
    """holders() of the ports, from `ss -Hltnp` and Podman's listing (run(argv) -> (rc, out, err)).

    Without Podman every holder is a process; RuntimeError when ss fails."""
    if not ports:
        return []
    rc, out, err = run([ss, "-Hltnp"])
    if rc != 0:
        raise RuntimeError(f"ss failed: {err.strip()}")
    held = listeners(out, set(ports))
    owners = {}
    if podman:
        # --pod fills in PodName; without it the JSON leaves it empty.
        rc, out, _ = run([podman, "ps", "--pod", "--format", "json"])
        if rc == 0:
            owners = podman_owners(json.loads(out or "[]") or [])
    return holders(ports, held, owners)
