"""A scenario's fingerprints: what its last `up` left, recorded per Podman store, and whether it is still so.

The quick second `up` (labctl's own, without Ansible) and labctl.lab.scenario_state (the playbook's look)
are this one code. Podman is called through a given run(argv) -> (rc, stdout, stderr), argv[0] "podman".
"""

import contextlib
import json
import os
import re
import tempfile

from ansible_collections.labctl.lab.plugins.module_utils import ports
from ansible_collections.labctl.lab.plugins.module_utils.podman import PODMAN

# Kinds in the order their differences are told: a missing network or a stopped pod explains
# what is wrong with the containers in it.
LISTINGS = {
    "networks": (["network", "ls"], "name"),
    "volumes": (["volume", "ls"], "Name"),
    "pods": (["pod", "ps"], "Name"),
    "containers": (["ps", "-a", "--pod"], "Names"),
}
RUNNING = {"pods": "Running", "containers": "running"}
# Judged on the live object alone, never recorded: health goes from starting to healthy by itself.
VOLATILE = ("state", "health")
# Why a scenario is not in place when no up of it ever finished on this store.
NO_RECORD = "no record of an earlier up"
HEALTH = re.compile(r"\((healthy|unhealthy|starting)\)\s*$")
# An anonymous volume gets a new random name with every container: its name says nothing.
ANONYMOUS = re.compile(r"[0-9a-f]{64}")


# --- Pure logic: fingerprints from listing-shaped data, and how two of them differ ---------------


def _name(item, key):
    value = item.get(key)
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def port_text(port):
    """A published port as a student writes it: 8080 -> 5000 (with the host IP and /udp when set)."""
    return ports.port_text(port)


def health(status):
    match = HEALTH.search(str(status or ""))
    return match.group(1) if match else ""


def fingerprint(kind, item, infra=None, inspected=None):
    """What `verify` looks at in one object, from its listing entry.

    infra: for a pod, its infra container's listing entry, which holds the pod's published ports.
    inspected: the object's `podman inspect` output, when read, for what listings do not show
    (a container's volume names, a pod's shared namespaces)."""
    if kind == "networks":
        return {"id": item.get("id", ""), "dns": bool(item.get("dns_enabled"))}
    if kind == "volumes":  # volumes have no ID: their creation time tells a re-created one from the old
        return {"id": f"{item.get('Name', '')}@{item.get('CreatedAt', '')}"}
    if kind == "pods":
        found = {
            "id": item.get("Id", ""),
            "state": item.get("Status", ""),
            "networks": sorted(item.get("Networks") or []),
            "ports": sorted(port_text(p) for p in ports.published(infra or {})),
        }
        if inspected is not None:
            found["namespaces"] = sorted(inspected.get("SharedNamespaces") or [])
        return found
    found = {
        "id": item.get("Id", ""),
        "state": item.get("State", ""),
        "health": health(item.get("Status")),
        "pod": item.get("PodName") or "",
        "networks": sorted(item.get("Networks") or []),
        "mounts": sorted(item.get("Mounts") or []),
        "image": item.get("ImageID", ""),
    }
    if not found["pod"]:  # in a pod, the listing shows the pod's ports: the pod's fingerprint has them
        found["ports"] = sorted(port_text(p) for p in ports.published(item))
    if inspected is not None:
        found["volumes"] = {
            m.get("Destination", ""): m.get("Name", "")
            for m in inspected.get("Mounts") or []
            if m.get("Type") == "volume" and not ANONYMOUS.fullmatch(m.get("Name", ""))
        }
    return found


def _gone_and_new(was, now):
    return [x for x in was if x not in now], [x for x in now if x not in was]


def _lists(lost, gained):
    def say(was, now):
        gone, new = _gone_and_new(was, now)
        return [lost.format(x) for x in gone] + [gained.format(x) for x in new]

    return say


def _volumes(was, now):
    return [f"no longer mounts {v} at {d}" for d, v in was.items() if now.get(d) != v] + [
        f"now mounts {v} at {d}" for d, v in now.items() if d not in was
    ]


# What may differ from the record, in the order it is told; the bare "was replaced" comes last.
SAY = {
    "pod": lambda was, now: [f"is no longer in pod {was}" if was else f"is now in pod {now}"],
    "networks": _lists("is no longer attached to {}", "is now also attached to {}"),
    "ports": _lists("no longer publishes {}", "now also publishes {}"),
    "mounts": _lists("no longer mounts anything at {}", "now also mounts something at {}"),
    "volumes": _volumes,
    "image": lambda was, now: [f"runs image {now[:12]} instead of {was[:12]}"],
    "namespaces": _lists("no longer shares the {} namespace", "now also shares the {} namespace"),
    "dns": lambda was, now: ["now has DNS enabled" if now else "no longer has DNS enabled"],
    "id": lambda was, now: ["was replaced"],
}


def changes(kind, was, now):
    """How one object differs: its state and health judged now, the rest against the record.
    A fact known on one side only (inspect not run) is not compared."""
    said = []
    if kind in RUNNING and now.get("state") != RUNNING[kind]:
        said.append(f"is {str(now.get('state') or 'not running').lower()}")
    if now.get("health") == "unhealthy":  # 'starting' is fine: a fresh up leaves it so
        said.append("is unhealthy")
    for key, say in SAY.items():
        if key in was and key in now and was[key] != now[key]:
            said += say(was[key], now[key])
    return said


def differences(old, new):
    """Sentences saying how the live fingerprints differ from the recorded ones, most telling first.

    Both map kind -> name -> fingerprint; None (or no entry) means the object is not there."""
    reasons = []
    for kind in LISTINGS:
        was_kind, now_kind = old.get(kind) or {}, new.get(kind) or {}
        for name in dict.fromkeys([*was_kind, *now_kind]):
            what, was, now = f"{kind[:-1]} {name}", was_kind.get(name), now_kind.get(name)
            if now is None:
                reasons.append(f"{what} is missing")
            elif was is None:
                reasons.append(f"the last up left no {what}")
            else:
                reasons += [f"{what} {change}" for change in changes(kind, was, now)]
    return reasons


def fingerprints(found, resources, inspected=None):
    """kind -> name -> fingerprint for every wanted name; None for what is not there."""
    inspected = inspected or {}
    return {
        kind: {
            name: None
            if name not in found.get(kind, {})
            else fingerprint(
                kind,
                found[kind][name],
                infra=found.get("infra", {}).get(name) if kind == "pods" else None,
                inspected=inspected.get(kind, {}).get(name),
            )
            for name in names
        }
        for kind, names in resources.items()
        if kind in LISTINGS
    }


# --- Podman ----------------------------------------------------------------------------------------


class PodmanError(Exception):
    """A podman call the look needs failed: one sentence."""


def podman_json(run, *args, needed=True):
    """Podman's JSON answer; a call that is not needed (only to explain) gives [] when it fails."""
    rc, out, err = run([PODMAN, *args])
    if rc != 0 and not needed:
        return []
    if rc != 0:
        raise PodmanError(f"podman {' '.join(args[:2])} failed: {err.strip()}")
    return json.loads(out or "[]") or []


def look(run, resources):
    """One listing per kind; returns {kind: {name: entry}} for the wanted names, and under "infra"
    the pods' infra containers by pod name (listed with the containers, hence pods first).
    run: None when there is no Podman (the host role's preflight says what to do about it)."""
    found = {"infra": {}}
    if run is None:
        return found
    infra_of = {}  # infra container name -> pod name
    for kind, (args, key) in LISTINGS.items():
        names = list(resources.get(kind) or [])
        wanted = names + (list(infra_of) if kind == "containers" else [])
        if not wanted:
            continue
        regex = "^(" + "|".join(re.escape(n) for n in wanted) + ")$"
        items = podman_json(run, *args, "--format", "json", "--filter", f"name={regex}")
        found[kind] = {_name(i, key): i for i in items if _name(i, key) in names}
        if kind == "pods":
            for pod in found[kind].values():
                infra_of.update(
                    {c["Names"]: pod["Name"] for c in pod.get("Containers") or [] if c["Id"] == pod["InfraId"]}
                )
        elif kind == "containers":
            found["infra"] = {infra_of[_name(i, key)]: i for i in items if _name(i, key) in infra_of}
    return found


def inspect(run, found, names, needed=True):
    """What only inspect shows, for the named pods and containers: one call for the containers
    (those with mounts: their volume names), one per pod (Podman 4.3 inspects one pod at a time)."""
    inspected = {"containers": {}, "pods": {}}
    ctrs = [n for n in names.get("containers", []) if found.get("containers", {}).get(n, {}).get("Mounts")]
    if ctrs:
        answer = podman_json(run, "container", "inspect", *ctrs, needed=needed)
        inspected["containers"] = {c["Name"]: c for c in answer}
    for pod in names.get("pods", []):
        answer = podman_json(run, "pod", "inspect", pod, needed=needed) if pod in found.get("pods", {}) else []
        if answer:
            inspected["pods"][pod] = answer[0] if isinstance(answer, list) else answer
    return inspected


# --- The record ------------------------------------------------------------------------------------


def write_atomically(path, text):
    """Readers see the old record or the new one, never half of one, even after a crash; only
    the owner of the Podman store reads it (file 0600, folder 0700)."""
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def make_record(content_hash, live):
    """The record of an up: its content hash, and the live fingerprints without what is judged
    only now (state, health), so that a second up with nothing to do leaves the record as it was."""
    kept = {
        kind: {name: {k: v for k, v in fp.items() if k not in VOLATILE} for name, fp in fps.items() if fp}
        for kind, fps in live.items()
    }
    return {"content_hash": content_hash, "fingerprints": kept}


def read_record(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def why_not_in_place(run, path, content_hash, resources, found):
    """The first reason the scenario is not as the last up left it, or "" when it is."""
    record = read_record(path)
    if record is None:
        return NO_RECORD
    if not content_hash or record.get("content_hash") != content_hash:
        return "the scenario's content changed since the last up"
    if "fingerprints" not in record:
        return "the record of the last up is from an older labctl"
    old, new = record["fingerprints"], fingerprints(found, resources)
    reasons = differences(old, new)
    if reasons and reasons[0].endswith(" was replaced"):
        # The listings show nothing else, and volume names and shared namespaces cannot change
        # without a new object: read them now, for what was replaced only, to say what changed
        # (a replaced object gone meanwhile leaves "was replaced", which is true).
        replaced = {
            kind: [
                n
                for n, fp in new.get(kind, {}).items()
                if fp and fp["id"] != (old.get(kind, {}).get(n) or {}).get("id")
            ]
            for kind in ("pods", "containers")
        }
        reasons = differences(old, fingerprints(found, resources, inspect(run, found, replaced, needed=False)))
    return reasons[0] if reasons else ""
