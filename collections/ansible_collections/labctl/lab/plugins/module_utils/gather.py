"""Gather, in one go, everything the looking checks of an exercise judge: Podman's inspect output of
the scenario's resources, and the read-only probes the exercise declares (HTTP GETs, commands in its
containers, read-only Podman commands, short-lived containers in its pod, healthcheck runs).

Pure over what it is given: run(argv) -> (rc, stdout, stderr), http_get(url, timeout) -> (status,
body, error), a clock and a sleep, so that a unit test needs no Podman. Waits poll until a deadline;
nothing here sleeps a fixed time.

A probe runs only when what it needs is there (its containers running, its pod up); otherwise its
result says why not ({'ran': False, 'why': ..., ...}) and the check decides what that means.
"""

import re
import time

from ansible_collections.labctl.lab.plugins.module_utils import podman

RESOURCE_KINDS = {"pods": "pod", "containers": "container", "volumes": "volume", "networks": "network"}
MAX_BODY = 65536  # of a page, in characters: enough for any page of the course, bounded for a runaway one
MAX_OUTPUT = 16384  # of a command's stdout or stderr
# A pod whose infra runs: Degraded is a pod of which some container stopped (ex5 after step 4).
POD_UP = ("Running", "Degraded")


def poll(attempt, done, deadline=0.0, interval=1.0, clock=time.monotonic, sleep=time.sleep):
    """attempt() until done(result) or the deadline (seconds from now) would pass: (last result, attempts)."""
    end = clock() + float(deadline or 0)
    count = 0
    while True:
        result = attempt()
        count += 1
        if done(result) or clock() + interval > end:
            return result, count
        sleep(interval)


def _cut(text, limit=MAX_OUTPUT):
    text = text or ""
    return text if len(text) <= limit else text[-limit:]


class Gatherer:
    def __init__(self, run, http_get=None, clock=time.monotonic, sleep=time.sleep, limits_of=None, timers=None):
        self.run = run
        self.http_get = http_get
        self.clock = clock
        self.sleep = sleep
        self.limits_of = limits_of  # cgroup_path -> limits report (module_utils.cgroups.pod_limits_report)
        self.timers = timers  # () -> bool: does systemd run Podman's healthcheck timers here?
        self.state = {}

    # --- what is there -----------------------------------------------------------------------------

    def inspect_all(self, resources, images):
        for plural, kind in RESOURCE_KINDS.items():
            self.state[plural] = podman.inspect(self.run, kind, (resources or {}).get(plural) or [])
        self.state["images"] = podman.inspect(self.run, "image", images or [])
        self._summarise()

    def _summarise(self):
        containers = self.state.get("containers") or {}
        pods = self.state.get("pods") or {}
        self.state["running"] = sorted(n for n, c in containers.items() if podman.is_running(c))
        self.state["pod_state"] = {n: (p or {}).get("State", "") for n, p in pods.items()}

    def _container(self, name):
        known = self.state.get("containers") or {}
        if name not in known:
            known[name] = podman.inspect(self.run, "container", [name])[name]
            self.state["containers"] = known
            self._summarise()
        return known[name]

    def _not_running(self, names):
        return [n for n in names or [] if not podman.is_running(self._container(n))]

    def _missing(self, names):
        return [n for n in names or [] if self._container(n) is None]

    def _pod_down(self, pod, allowed=POD_UP):
        """None when the pod is up, else why not."""
        obj = (self.state.get("pods") or {}).get(pod)
        if obj is None and pod not in (self.state.get("pods") or {}):
            obj = podman.inspect(self.run, "pod", [pod])[pod]
            self.state.setdefault("pods", {})[pod] = obj
            self._summarise()
        if obj is None:
            return {"ran": False, "why": "no_pod", "pod": pod}
        if obj.get("State") not in allowed:
            return {"ran": False, "why": "pod_down", "pod": pod, "state": obj.get("State", "")}
        return None

    def _blocked(self, spec, pod_states=POD_UP):
        """Why a probe cannot run now (a dict with ran False), or None."""
        pod = spec.get("pod") or spec.get("when_pod")
        if pod:
            down = self._pod_down(pod, pod_states)
            if down:
                return down
        missing = self._missing(spec.get("when_exists"))
        if missing:
            return {"ran": False, "why": "missing", "names": missing}
        stopped = self._not_running(spec.get("when_running"))
        if stopped:
            return {"ran": False, "why": "not_running", "names": stopped}
        if spec.get("pod"):
            pod_id = (self.state["pods"].get(spec["pod"]) or {}).get("Id")
            elsewhere = [n for n in spec.get("when_running") or [] if (self._container(n) or {}).get("Pod") != pod_id]
            if elsewhere:
                return {"ran": False, "why": "not_in_pod", "names": elsewhere, "pod": spec["pod"]}
        return None

    # --- probes ------------------------------------------------------------------------------------

    def _command(self, argv, spec):
        """Run argv, polling until rc 0 (until: rc0) or a text shows in stdout (until_contains)."""
        wanted = spec.get("until_contains")

        def done(res):
            if wanted:
                return wanted in res[1]
            return spec.get("until") != "rc0" or res[0] == 0

        (rc, out, err), attempts = poll(
            lambda: self.run(argv), done, spec.get("deadline", 0), spec.get("interval", 1), self.clock, self.sleep
        )
        return {"ran": True, "rc": rc, "stdout": _cut(out), "stderr": _cut(err), "attempts": attempts}

    def exec_probe(self, spec):
        """A command in a running container (`podman exec`), e.g. ex1's wget from client to webserver."""
        spec = {**spec, "when_running": [spec["container"], *(spec.get("when_running") or [])]}
        return self._blocked(spec) or self._command([podman.PODMAN, "exec", spec["container"], *spec["argv"]], spec)

    def podman_probe(self, spec):
        """A read-only Podman command on the host (`podman logs`, `podman pod stats`)."""
        return self._blocked(spec, pod_states=("Running",)) or self._command([podman.PODMAN, *spec["argv"]], spec)

    def run_probe(self, spec):
        """A short-lived container in a running pod (`podman run --rm --pod`), as the course's viewers."""
        blocked = self._blocked(spec)
        if blocked:
            return blocked
        rc, out, err = podman.run_in_pod(
            self.run, spec["name"], spec["pod"], spec["image"], spec["argv"], spec.get("labels")
        )
        return {"ran": True, "rc": rc, "stdout": _cut(out), "stderr": _cut(err), "attempts": 1}

    def _get(self, url, timeout):
        status, body, error = self.http_get(url, timeout)
        return {"status": status, "body": _cut(body, MAX_BODY), "error": error or ""}

    def http_probe(self, spec):
        """GETs of a URL: `times` in a row, or polled until it answers 200 (until: ok) or until its page
        differs from the first answer (until: changed), within `deadline` seconds."""
        blocked = self._blocked(spec)
        if blocked:
            return blocked
        url, timeout, until = spec["url"], spec.get("timeout", 10), spec.get("until", "")
        deadline, interval = spec.get("deadline", 0), spec.get("interval", 1)
        get = lambda: self._get(url, timeout)  # noqa: E731
        attempts = 1
        if until == "changed":
            first = get()
            answers = [first]
            if first["status"] == 200:
                last, attempts = poll(
                    get, lambda a: a["body"] != first["body"], deadline, interval, self.clock, self.sleep
                )
                answers.append(last)
                attempts += 1
        elif until == "ok":
            last, attempts = poll(get, lambda a: a["status"] == 200, deadline, interval, self.clock, self.sleep)
            answers = [last]
        else:
            answers = [get() for _ in range(max(1, int(spec.get("times", 1))))]
            attempts = len(answers)
        return {"ran": True, "url": url, "answers": answers, **answers[-1], "attempts": attempts}

    def health(self, spec):
        """The health of containers with a HEALTHCHECK. Where systemd runs Podman's healthcheck timers,
        only read it; without them Podman never runs a healthcheck by itself, so run it, as the
        course's step 5 does (`podman healthcheck run`, success = exit code 0), then read it."""
        by_timers = spec.get("timers")
        if by_timers is None:
            by_timers = bool(self.timers()) if self.timers else False
        report = {}
        for name in spec.get("containers") or []:
            if not podman.is_running(self._container(name)):
                report[name] = {"ran": False, "why": "not_running", "names": [name], "by_timers": by_timers}
                continue
            entry = {"ran": True, "by_timers": by_timers, "rc": 0, "stdout": "", "stderr": ""}
            if not by_timers:
                entry.update(self._command([podman.PODMAN, "healthcheck", "run", name], {**spec, "until": "rc0"}))
            report[name] = entry
        fresh = podman.inspect(self.run, "container", [n for n, e in report.items() if e["ran"]])
        for name, obj in fresh.items():
            config = ((obj or {}).get("Config") or {}).get("Healthcheck") or {}
            health = ((obj or {}).get("State") or {}).get("Health") or {}
            report[name].update(status=str(health.get("Status") or ""), test=list(config.get("Test") or []))
        return report

    def limits(self, pods):
        """The limits the kernel enforces on each pod's cgroup, and whether this host can enforce them."""
        report = {}
        for pod in pods or []:
            obj = (self.state.get("pods") or {}).get(pod)
            path = (obj or {}).get("CgroupPath") or ""
            report[pod] = self.limits_of(path) if obj is not None and path and self.limits_of else None
        return report


def gather(run, spec, http_get=None, clock=time.monotonic, sleep=time.sleep, limits_of=None, timers=None):
    """The lab's state as one dict (see the module lab_state for its shape)."""
    g = Gatherer(run, http_get, clock, sleep, limits_of, timers)
    g.inspect_all(spec.get("resources"), spec.get("images"))
    state = g.state
    state["health"] = g.health(spec["health"]) if spec.get("health") else {}
    state["limits"] = g.limits(spec.get("pod_limits"))
    kinds = {"http": g.http_probe, "exec": g.exec_probe, "podman": g.podman_probe, "run": g.run_probe}
    for kind, probe in kinds.items():
        state[kind] = {name: probe(dict(item)) for name, item in (spec.get(kind) or {}).items()}
    g._summarise()
    return state


NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def spec_problems(spec):
    """What is wrong with a gather spec, in sentences (empty when nothing): a role's error, not the lab's."""
    problems = []
    needs = {
        "http": ("url",),
        "exec": ("container", "argv"),
        "podman": ("argv",),
        "run": ("name", "pod", "image", "argv"),
    }
    for kind, required in needs.items():
        for name, item in (spec.get(kind) or {}).items():
            if not NAME.match(str(name)):
                problems.append(f"{kind} probe {name!r}: a probe's name is lower-case letters, digits and _")
            if not isinstance(item, dict):
                problems.append(f"{kind} probe {name}: must be a mapping")
                continue
            problems += [f"{kind} probe {name}: {key} is missing" for key in required if not item.get(key)]
            if item.get("until") not in (None, "", "ok", "changed", "rc0"):
                problems.append(f"{kind} probe {name}: until must be ok, changed or rc0")
    return problems
