"""The assertions an exercise's checks name: pure functions over the gathered lab state
(module_utils.gather, module lab_state) and the check's arguments, returning a Verdict.

A Verdict says PASS, FAIL, SKIP, NOT_ENFORCED or INFO; what was found, as phrases (a key of the
collection's texts, or of the check's own `found:` texts, with the values to fill in); which hint
variant fits; and extra values the check's texts may use. Words live in the texts, one file per
language; values from the lab (names, pages, logs) are data, filled in, never read as templates.

Each assertion is registered with the hint variants it may pick and the values it provides, which
the texts' unit test holds every exercise's text files against.
"""

import json
import re

from ansible_collections.labctl.lab.plugins.module_utils import podman

ASSERTIONS = {}


class Phrase:
    """A phrase of our texts by key, with the values to fill in; rendered in the reader's language."""

    __slots__ = ("key", "params")

    def __init__(self, key, **params):
        self.key = key
        self.params = params

    def __eq__(self, other):
        return isinstance(other, Phrase) and (self.key, self.params) == (other.key, other.params)

    def __repr__(self):
        return f"Phrase({self.key!r}, {self.params!r})"


phrase = Phrase


class Verdict:
    """The outcome of one assertion. found: a Phrase, a plain string (data), or a list of them (joined by '; ')."""

    __slots__ = ("excused", "found", "hint", "status", "values")

    def __init__(self, status, found=None, hint="", values=None, excused=False):
        self.status = status
        self.found = found
        self.hint = hint
        self.values = values or {}
        self.excused = excused

    def __repr__(self):
        return f"Verdict({self.status}, {self.found!r}, hint={self.hint!r}, values={self.values!r})"


def passed(found=None, **values):
    return Verdict("PASS", found, values=values)


def failed(found=None, hint="", **values):
    return Verdict("FAIL", found, hint, values)


def judged(ok, found=None, hint="", **values):
    return Verdict("PASS" if ok else "FAIL", found, hint, values)


def skipped(reason, fine=False, **values):
    """Not judged: a precondition failed (a failure), or, when fine, the lab went further than the check needs."""
    return Verdict("SKIP", reason, values=values, excused=fine)


def not_enforced(reason, found=None, hint="", **values):
    """This host cannot enforce what is checked (reason: a Phrase); found: what was measured, if anything."""
    parts = [phrase("not_enforced_here", reason=reason)]
    if found:
        parts.append(phrase("measured", found=found))
    return Verdict("NOT_ENFORCED", parts, hint, values)


def info(found=None, **values):
    return Verdict("INFO", found, values=values)


class Assertion:
    def __init__(self, fn, hints, provides):
        self.fn = fn
        self.name = fn.__name__
        self.hints = tuple(hints)
        self.provides = tuple(provides)


def assertion(hints=(), provides=()):
    """Register an assertion, with the hint variants it may pick and the values it gives the texts."""

    def register(fn):
        ASSERTIONS[fn.__name__] = Assertion(fn, hints, provides)
        return fn

    return register


# --- small helpers over the state and over text from the lab -------------------------------------------


def squash(text):
    """Whitespace of a page or a log collapsed to single spaces."""
    return re.sub(r"\s+", " ", str(text or "")).strip()


def cut(text, limit):
    """At most about `limit` characters, cut at a word, with an ellipsis."""
    text = str(text or "")
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head + "…"


def _get(state, kind, name):
    return ((state or {}).get(kind) or {}).get(name)


def _names(names):
    return " and ".join(names)


def not_running(names):
    """'client is not running' / 'text-api and text-frontend are not running'."""
    names = list(names)
    return phrase("is_not_running" if len(names) == 1 else "are_not_running", names=_names(names))


def why_not_run(result):
    """A probe that did not run, as the reason to skip its check."""
    why = (result or {}).get("why", "")
    names = (result or {}).get("names") or []
    if why == "no_pod":
        return phrase("no_such_pod", pod=result.get("pod", ""))
    if why == "pod_down":
        return phrase("pod_is_down", pod=result.get("pod", ""), state=str(result.get("state", "")).lower())
    if why == "missing":
        return phrase("no_such_container", container=_names(names))
    if why == "not_in_pod":
        return phrase("not_running_in_pod", container=_names(names), pod=result.get("pod", ""))
    return not_running(names)


def _answered(state, probe):
    """An HTTP probe's result, and the verdict when it got no answer: SKIP when it did not run, FAIL
    when nothing answered (else None)."""
    result = _get(state, "http", probe) or {}
    if not result.get("ran"):
        return result, skipped(why_not_run(result))
    if not result.get("status"):
        return result, failed(no_answer(result))
    return result, None


def no_answer(result, limit=120):
    """What an HTTP GET or a command that got nothing useful said instead."""
    error = squash((result or {}).get("error") or (result or {}).get("msg") or "")
    return cut(error, limit) if error else phrase("no_answer")


# --- containers, pods, networks, volumes, images ------------------------------------------------------


@assertion()
def network_exists(state, network):
    """The network exists."""
    if _get(state, "networks", network) is None:
        return failed(phrase("no_network", network=network))
    return passed(phrase("it_exists"))


@assertion()
def container_running(state, container):
    """The container runs."""
    c = _get(state, "containers", container)
    if c is None:
        return failed(phrase("no_container", container=container))
    return judged(podman.is_running(c), phrase("container_is", container=container, status=podman.status_of(c)))


@assertion(hints=("start", "replace"))
def container_on_network(state, container, network):
    """The container runs, attached to the network. Hints: start (there, stopped), replace (wrong network)."""
    c = _get(state, "containers", container)
    if c is None:
        return failed(phrase("no_container", container=container))
    running, nets = podman.is_running(c), podman.networks_of(c)
    on_net = network in nets
    found = phrase(
        "container_on", container=container, status=podman.status_of(c), networks=", ".join(nets) or phrase("no_net")
    )
    hint = "start" if on_net and not running else "replace"
    return judged(running and on_net, found, hint)


def _in_pod(state, container, pod):
    c, p = _get(state, "containers", container), _get(state, "pods", pod)
    return c, p, c is not None and p is not None and c.get("Pod") == p.get("Id")


@assertion(hints=("start", "replace"))
def container_in_pod(state, container, pod):
    """The container runs in the pod. Hints: start (in the pod, stopped), replace (outside it)."""
    c, _, inside = _in_pod(state, container, pod)
    if c is None:
        return failed(phrase("no_container", container=container))
    status = podman.status_of(c)
    if inside:
        found = phrase("container_in_pod", container=container, status=status, pod=pod)
    elif c.get("Pod"):
        found = phrase("container_in_other_pod", container=container, status=status, pod=pod)
    else:
        found = phrase("container_in_no_pod", container=container, status=status, pod=pod)
    return judged(inside and podman.is_running(c), found, "start" if inside else "replace")


@assertion(hints=("start",))
def pod_running(state, pod):
    """The pod exists and runs. Hints: start (it exists)."""
    p = _get(state, "pods", pod)
    if p is None:
        return failed(phrase("no_pod", pod=pod))
    return judged(p.get("State") == "Running", phrase("pod_is", pod=pod, state=p.get("State", "")), "start")


@assertion(hints=("start", "recreate"))
def pod_publishes(state, pod, host_port, pod_port):
    """The pod runs and publishes host_port to pod_port (tcp). Hints: start (ports right), recreate (wrong)."""
    p = _get(state, "pods", pod)
    if p is None:
        return failed(phrase("no_pod", pod=pod))
    published = [podman.port_text(port) for port in podman.published_ports(p)]
    wanted = f"{host_port}->{pod_port}/tcp"
    found = phrase("pod_publishing", pod=pod, state=p.get("State", ""), ports=", ".join(published) or phrase("no_port"))
    return judged(
        p.get("State") == "Running" and wanted in published, found, "start" if wanted in published else "recreate"
    )


@assertion(hints=("recreate",))
def pod_shares(state, pod, namespace):
    """The pod shares the namespace (--share). Hints: recreate (the pod exists)."""
    p = _get(state, "pods", pod)
    if p is None:
        return failed(phrase("no_pod", pod=pod))
    shared = sorted(p.get("SharedNamespaces") or [])  # Podman keeps no order
    found = phrase("pod_shares", pod=pod, namespaces=", ".join(shared) or phrase("no_namespace"))
    return judged(namespace in shared, found, "recreate")


@assertion()
def volume_mounted(state, container, volume, path):
    """The volume is mounted at path in the container."""
    c = _get(state, "containers", container)
    if c is None:
        return skipped(phrase("no_such_container", container=container))
    at_path = [m for m in c.get("Mounts") or [] if m.get("Destination") == path]
    if any(m.get("Type") == "volume" and m.get("Name") == volume for m in at_path):
        return passed(phrase("mounted"))
    if not at_path:
        return failed(phrase("nothing_mounted", path=path))
    m = at_path[0]
    return failed(
        phrase("mounted_instead", kind=m.get("Type", ""), source=m.get("Name") or m.get("Source", ""), path=path)
    )


@assertion(hints=("rebuild",))
def image_has_healthcheck(state, image):
    """The image carries a HEALTHCHECK (kept only by --format docker). Hints: rebuild (the image exists)."""
    img = _get(state, "images", image)
    if img is None:
        return failed(phrase("no_image", image=image))
    check = img.get("Healthcheck") or (img.get("Config") or {}).get("Healthcheck") or {}
    test = list(check.get("Test") or [])
    if not test:
        return failed(phrase("image_without_healthcheck"), "rebuild")
    return passed(" ".join(test[1:]))


@assertion(hints=("rebuild",), provides=("how",))
def healthy(state, container):
    """Podman reports the container healthy; without systemd's timers its healthcheck was run first.
    Hints: rebuild (the container has no healthcheck). Provides how (who runs the healthcheck)."""
    h = _get(state, "health", container) or {"ran": False, "names": [container]}
    by_timers = bool(h.get("by_timers"))
    how = phrase("health_by_timers") if by_timers else phrase("health_by_run", container=container)
    if not h.get("ran"):
        return skipped(why_not_run(h), how=how)
    status = h.get("status", "")
    if (by_timers or h.get("rc") == 0) and status == "healthy":
        return passed(phrase("is_healthy"), how=how)
    if not h.get("test"):
        return failed(phrase("no_healthcheck"), "rebuild", how=how)
    says = squash(f"{h.get('stdout', '')} {h.get('stderr', '')}").removeprefix("Error: ")
    shown = status or phrase("no_health_status")
    if says:
        return failed(phrase("health_says", status=shown, says=cut(says, 100)), how=how)
    return failed(phrase("health_is", status=shown), how=how)


# --- probes: commands in containers, logs, pages ------------------------------------------------------


@assertion(provides=("server_ip",))
def name_resolves(state, probe, name, network):
    """A lookup (an exec probe: nslookup NAME) answers the address NAME has on the network.
    Provides server_ip, that address."""
    server_ip = podman.address_on(_get(state, "containers", name), network)
    shown_ip = server_ip or phrase("none")
    result = _get(state, "exec", probe) or {}
    if not result.get("ran"):
        return skipped(why_not_run(result), server_ip=shown_ip)
    answers = re.findall(r"Address:?\s*([0-9.]+)", " ".join(result.get("stdout", "").split("Name:")[1:]))
    ok = result.get("rc") == 0 and bool(server_ip) and server_ip in answers
    found = ", ".join(answers) or cut(squash(f"{result.get('stdout', '')} {result.get('stderr', '')}"), 120)
    return judged(ok, found or phrase("no_answer"), server_ip=shown_ip)


@assertion()
def output_contains(state, probe, text):
    """An exec probe's output contains the text."""
    result = _get(state, "exec", probe) or {}
    if not result.get("ran"):
        return skipped(why_not_run(result))
    stdout = result.get("stdout", "")
    if text in stdout:
        return passed(phrase("output_has", text=text))
    return failed(cut(squash(result.get("stderr")), 120) or cut(stdout, 80) or phrase("no_answer"))


@assertion()
def log_has_lines(state, probe, text, container):
    """The container's log (a podman probe: logs --tail N) has lines containing the text."""
    result = _get(state, "podman", probe) or {}
    if not result.get("ran"):
        return skipped(phrase("no_such_container", container=container))
    lines = result.get("stdout", "").splitlines()
    matching = [line for line in lines if text in line]
    if matching:
        return passed(matching[-1])
    last = (lines[-1:] or [""])[0] or cut(squash(result.get("stderr")), 100) or phrase("nothing")
    return failed(phrase("no_log_line", text=text, last=last))


@assertion()
def page_title(state, probe, title):
    """An HTTP probe answers 200 with the page titled so."""
    result, verdict = _answered(state, probe)
    if verdict:
        return verdict
    status = result["status"]
    found_title = (re.findall(r"<title>([^<]*)</title>", result.get("body", "")) or [""])[0].strip()
    return judged(status == 200 and found_title == title, phrase("http_title", status=status, title=found_title))


@assertion(hints=("bad_gateway",))
def json_text(state, probe, key):
    """An HTTP probe answers 200 with JSON whose key holds a non-empty text. Hints: bad_gateway (502)."""
    result, verdict = _answered(state, probe)
    if verdict:
        return verdict
    status = result["status"]
    try:
        data = json.loads(result.get("body") or "null")
    except ValueError:
        data = None
    text = data.get(key) if isinstance(data, dict) else None
    if status == 200 and isinstance(text, str) and text:
        return passed(text)
    body = cut(squash(re.sub(r"<[^>]*>", " ", result.get("body", ""))), 100)
    return failed(phrase("http_body", status=status, body=body), "bad_gateway" if status == 502 else "")


@assertion(provides=("greeting",))
def greets_and_counts(state, probe, container, greeting):
    """Each GET of an HTTP probe (times: 2) shows the greeting (the app container's GREETING, else the
    default given) and a 'Visits: n' that goes up. Provides greeting."""
    greeting = podman.env_of(_get(state, "containers", container)).get("GREETING", greeting)
    result = _get(state, "http", probe) or {}
    answers = result.get("answers") or []
    pages = [a.get("body", "") for a in answers]
    counts = [re.findall(r"Visits: (\d+)", page) for page in pages]
    ok = (
        len(pages) >= 2
        and all(greeting in page for page in pages)
        and all(counts)
        and int(counts[-1][0]) > int(counts[0][0])
    )
    shown = cut(" / ".join(page.strip() for page in pages if page.strip()), 160)
    return judged(ok, shown or no_answer(answers[0] if answers else result), greeting=greeting)


@assertion()
def page_changes(state, probe):
    """An HTTP probe (until: changed) got two different pages."""
    result = _get(state, "http", probe) or {}
    if not result.get("ran"):
        return skipped(why_not_run(result))
    answers = result.get("answers") or []
    if not answers or answers[0].get("status") != 200:
        return skipped(phrase("page_does_not_answer"))
    last = answers[-1].get("body", "")
    ok = len(answers) > 1 and last not in ("", answers[0].get("body", ""))
    return judged(ok, last.strip() or no_answer(answers[-1]))


@assertion()
def output_is_one_of(state, result, one_of, container, error=""):
    """A command of an acting check (its registered result) printed one of the given lines; skipped
    when the command did not run because the container does not run."""
    if not isinstance(result, dict) or result.get("skipped") or not result:
        if error:
            return failed(phrase("did_not_finish", error=cut(error, 120)))
        return skipped(not_running([container]))
    out = str(result.get("stdout", "")).strip()
    if out in one_of:
        return passed(out)
    return failed(
        out or (cut(error, 120) if error else "") or cut(squash(result.get("stderr")), 120) or phrase("no_answer")
    )


# --- ex4: pod limits -----------------------------------------------------------------------------------


def _limits(state, pod):
    return _get(state, "limits", pod)


def _files(limits, prefix):
    files = (limits or {}).get("files") or {}
    return ", ".join(
        f"{name} = {value}" for name, value in files.items() if name.startswith(prefix) and value is not None
    )


def _reason(limits, which):
    """Why this host cannot enforce a limit: a phrase keyed by module_utils.cgroups (REASONS_EN), or None."""
    reason = ((limits or {}).get("reasons") or {}).get(which)
    return Phrase(reason[0], **reason[1]) if reason else None


def _host_hint(limits):
    return "host_v1" if (limits or {}).get("version", 1) == 1 else "host_v2"


@assertion(hints=("host_v1", "host_v2"), provides=("mib",))
def memory_limit(state, pod, limit_bytes):
    """The kernel enforces limit_bytes of memory on the pod's cgroup. Hints: host_v1, host_v2 (this host
    cannot enforce it: cgroup v1 rootless, a controller not delegated). Provides mib."""
    want = int(limit_bytes)
    mib = str(want // 1048576)
    limits = _limits(state, pod)
    if limits is None:
        return skipped(phrase("pod_does_not_exist"), mib=mib)
    have = limits.get("memory_bytes")
    amount = phrase("no_limit") if have is None else phrase("mib", mib=f"{have / 1048576:.1f}".removesuffix(".0"))
    found = phrase(
        "limit_files", amount=amount, files=_files(limits, "memory") or phrase("no_file", controller="memory")
    )
    reason = _reason(limits, "memory")
    if reason:
        return not_enforced(reason, found, _host_hint(limits), mib=mib)
    return judged(have == want, found, mib=mib)


@assertion(hints=("host_v1", "host_v2"))
def cpu_limit(state, pod, cpus):
    """The kernel enforces the CPU limit (quota / period) on the pod's cgroup. Hints: as memory_limit."""
    limits = _limits(state, pod)
    if limits is None:
        return skipped(phrase("pod_does_not_exist"))
    have = limits.get("cpus")
    amount = phrase("no_limit") if have is None else phrase("cpus", cpus=str(round(have, 3)))
    found = phrase("limit_files", amount=amount, files=_files(limits, "cpu") or phrase("no_file", controller="cpu"))
    reason = _reason(limits, "cpu")
    if reason:
        return not_enforced(reason, found, _host_hint(limits))
    return judged(have is not None and abs(have - float(cpus)) < 0.001, found)


@assertion(hints=("host_v1", "host_v2", "no_limit"))
def allocation_stopped(state, pod, probe):
    """An allocation above the limit in the pod (pod_limits' probe, given as its registered result) was
    killed by the kernel, and the pod's other containers kept running. Hints: host_v1, host_v2 (not
    enforceable here), no_limit (nothing stopped it)."""
    limits = _limits(state, pod)
    outcome = (probe or {}).get("probe") if isinstance(probe, dict) else None
    found = None
    if outcome:
        rc = outcome.get("rc")
        if outcome.get("killed"):
            first = phrase("oom_killed", rc=rc)
        elif rc == 0:
            first = phrase("allocation_succeeded")
        else:
            first = phrase("allocation_failed", rc=rc, stderr=cut(squash(outcome.get("stderr")), 80))
        if outcome.get("others_running"):
            others = phrase("others_running")
        else:
            others = phrase("others_not_running", names=", ".join(outcome.get("others_not_running") or []))
        found = [first, others]
    reason = _reason(limits, "memory") if limits is not None else None
    if reason:
        return not_enforced(reason, found, _host_hint(limits))
    if not outcome:
        return skipped(phrase("pod_not_running"))
    ok = bool(outcome.get("killed") and outcome.get("others_running"))
    return judged(ok, found, "" if outcome.get("killed") else "no_limit")


@assertion()
def pod_stats(state, probe):
    """What `podman pod stats` shows (a podman probe), for information."""
    result = _get(state, "podman", probe) or {}
    if not result.get("ran"):
        return info(phrase("stats_not_available", why=phrase("pod_not_running")))
    try:
        rows = json.loads(result.get("stdout") or "[]") if result.get("rc") == 0 else []
    except ValueError:
        rows = []
    if not rows:
        why = squash(result.get("stderr")).removeprefix("Error: ") or phrase("pod_not_running")
        return info(phrase("stats_not_available", why=why))
    shown = "; ".join(f"{r.get('Name', '')} {r.get('MemUsage', '')} {r.get('CPU', '')}" for r in rows)
    return info(phrase("stats_rows", rows=shown))


# --- ex5: the shared PID namespace ----------------------------------------------------------------------

POD_UP = ("Running", "Degraded")
# One line of busybox `ps aux` (PID USER [TIME] COMMAND) as (PID, COMMAND).
PS_LINE = re.compile(r"(?m)^\s*(\d+)\s+\S+\s+(?:\d+:\d\d\s+)?(\S.*?)\s*$")


def _holder(state, container, pod):
    """The course's holder: in the pod?, running?, or killed from another container (step 4)?"""
    c, p, inside = _in_pod(state, container, pod)
    pod_up = p is not None and p.get("State") in POD_UP
    st = (c or {}).get("State") or {}
    killed = inside and st.get("Status") == "exited" and st.get("ExitCode") in (143, 137) and pod_up
    return {
        "c": c,
        "p": p,
        "inside": inside,
        "pod_up": pod_up,
        "runs": inside and podman.is_running(c),
        "killed": killed,
        "killed_text": phrase(
            "killed_sigkill" if st.get("ExitCode") == 137 else "killed_sigterm", code=st.get("ExitCode")
        ),
    }


@assertion(hints=("start_pod", "start", "replace"))
def runs_or_was_killed(state, container, pod):
    """The container runs in the pod, or was killed from another container of it (the course's step 4).
    Hints: start_pod (in the pod, the pod stopped), start (in the pod), replace (outside it)."""
    h = _holder(state, container, pod)
    c = h["c"]
    if c is None:
        return failed(phrase("no_container", container=container))
    if h["killed"]:
        return passed(h["killed_text"])
    st = c.get("State") or {}
    if podman.is_running(c):
        what = phrase("runs_command", command=" ".join((c.get("Config") or {}).get("Cmd") or []))
    elif st.get("Status") == "exited":
        what = phrase("is_exited_code", status="exited", code=st.get("ExitCode"))
    else:
        what = phrase("is_status", status=podman.status_of(c))
    if not h["inside"]:
        found = phrase("holder_elsewhere", container=container, what=what, pod=pod)
    elif not h["pod_up"]:
        found = phrase(
            "holder_in_stopped_pod", container=container, what=what, state=str(h["p"].get("State", "")).lower()
        )
    else:
        found = phrase("holder_in_pod", container=container, what=what)
    hint = "replace" if not h["inside"] else "start" if h["pod_up"] else "start_pod"
    return judged(h["runs"], found, hint)


def _processes(stdout):
    return PS_LINE.findall(stdout or "")


@assertion()
def sees_process(state, probe, container, pod, command):
    """A short-lived container in the pod (a run probe: ps aux) sees the container's command. Skipped,
    as no failure, when the course's step 4 has killed that process already."""
    h = _holder(state, container, pod)
    if not h["runs"]:
        if h["p"] is None:
            return skipped(phrase("no_such_pod", pod=pod))
        if h["killed"]:
            return skipped(phrase("process_gone", container=container, killed=h["killed_text"]), fine=True)
        return skipped(phrase("not_running_in_pod", container=container, pod=pod))
    result = _get(state, "run", probe) or {}
    if not result.get("ran"):
        return skipped(why_not_run(result))
    procs = _processes(result.get("stdout"))
    pids = [pid for pid, cmd in procs if cmd == command]
    shown = ", ".join(" ".join(p) for p in procs)
    if pids:
        return passed(phrase("process_seen", command=command, pids=", ".join(pids), shown=shown))
    if procs:
        return failed(phrase("ps_shows_only", shown=shown))
    return failed(cut(squash(result.get("stderr")), 120) or phrase("no_output"))


@assertion()
def signal_ended(state, pod, holder, command, view=None, kill=None, after=None, error="", wait_seconds=30):
    """The acting signal test (the course's step 4 on a disposable holder): `kill <PID>` from another
    container of the pod ended the holder's command with SIGTERM (Exited (143)). view, kill, after:
    the registered results of its ps, kill and wait tasks; error: why it stopped half-way, if it did."""
    p = _get(state, "pods", pod)
    if p is None:
        return skipped(phrase("no_such_pod", pod=pod))
    if p.get("State") not in POD_UP:
        return skipped(phrase("pod_down_not_started", pod=pod, state=str(p.get("State", "")).lower()))
    if error:
        return failed(phrase("did_not_finish", error=cut(error, 120)))
    procs = _processes((view or {}).get("stdout"))
    pids = [pid for pid, cmd in procs if cmd == command]
    if not pids:
        shown = ", ".join(" ".join(p) for p in procs) or phrase("nothing")
        return failed(phrase("no_pid_to_signal", command=command, holder=holder, shown=shown))
    pid = pids[0]
    # podman_container runs `kill` to its end (detach: false); a kill that failed leaves its msg there.
    if isinstance(kill, dict) and not kill.get("skipped") and kill.get("msg"):
        said = cut(squash(kill.get("stderr") or kill.get("msg")), 120)
        return failed(phrase("kill_failed", pid=pid, said=said))
    containers = (after or {}).get("containers") or [] if isinstance(after, dict) else []
    st = (containers[0].get("State") or {}) if containers else {}
    if st.get("Status") == "exited":
        code = st.get("ExitCode")
        return judged(code == 143, phrase("exited_after_kill", holder=holder, code=code, pid=pid))
    status = st.get("Status") or phrase("missing")
    return failed(phrase("still_there_after_kill", holder=holder, status=status, seconds=wait_seconds, pid=pid))
