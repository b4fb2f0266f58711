"""Waiting until part of a lab is ready: poll with a deadline, and say why not with the log tail.

The one wait of every exercise (labctl.lab.wait_ready): a command in a container until it succeeds,
a URL until it answers, containers until Podman reports them healthy or running. Everything that
touches the world comes in as a function (run(argv) -> (rc, out, err), http_get(url, timeout) ->
(status, body, error), a clock and a sleep), so the logic is tested without Podman. Podman itself is
called through module_utils/podman.py, as every look at a lab is.
"""

import json
import time

from ansible_collections.labctl.lab.plugins.module_utils import podman, reasons

LOG_LINES = 8


def poll(attempt, deadline, interval=0.5, clock=time.monotonic, sleep=time.sleep):
    """Call attempt() -> (ok, detail) until it is ok, the detail says `final` (no later try can
    succeed) or the next try would start past the deadline.

    Returns (ok, detail of the last try, tries, seconds). Never sleeps past the deadline, and tries
    at least once however short the deadline."""
    start = clock()
    tries = 0
    while True:
        tries += 1
        ok, detail = attempt()
        spent = clock() - start
        if ok or detail.get("final") or spent + interval > deadline:
            return ok, detail, tries, round(spent, 2)
        sleep(interval)


def _last_line(*texts):
    lines = [line.strip() for text in texts for line in (text or "").splitlines() if line.strip()]
    return lines[-1].removeprefix("Error: ") if lines else ""


def _shorten(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_value(body, key):
    try:
        data = json.loads(body or "")
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


# `podman exec` exits 125 when Podman itself refuses: "container state improper" for a container
# that is not running, "no such container" for one that is gone.
PODMAN_REFUSED = 125


def exec_attempt(run, container, argv, contains="", while_running=False):
    """One try of a command in a container: ok when it exits 0 (with `contains` in its output).

    while_running: when Podman refuses the exec and the container does not run, the try is final
    (a database that stopped during its first start never answers): the wait ends at once, `stopped`."""

    def attempt():
        rc, out, err = podman.exec_in(run, container, argv)
        if rc == 0 and contains in (out or ""):
            return True, {"rc": rc, "stdout": out}
        if rc == 0:
            return False, {"rc": rc, "why": reasons.said("why_lacks", text=repr(contains))}
        line = _shorten(_last_line(err, out)) if (err or out) else ""
        why = reasons.said("why_exit_said", rc=rc, line=line) if line else reasons.said("why_exit", rc=rc)
        if while_running and (rc == PODMAN_REFUSED or "state improper" in (err or "")):
            state = (inspect_containers(run, [container]).get(container) or {}).get("State") or {}
            if not state.get("Running"):
                return False, {
                    "rc": rc,
                    "why": _it_is(state),
                    "final": True,
                    "stopped": True,
                }
        return False, {"rc": rc, "why": why}

    return attempt


def url_attempt(http_get, url, status=(200,), contains="", json_key="", timeout=5):
    """One GET: ok when the status is one of `status`, the body holds `contains` and, given a
    json_key, the body is JSON whose value there is not empty."""

    def attempt():
        code, body, error = http_get(url, timeout)
        if code is None:
            return False, {"why": _shorten(error) if error else reasons.said("why_no_answer")}
        if code not in status:
            return False, {"status": code, "why": reasons.said("why_http", code=code)}
        if contains and contains not in (body or ""):
            return False, {"status": code, "why": reasons.said("why_http_without", code=code, text=repr(contains))}
        value = _json_value(body, json_key) if json_key else True
        if not value:
            return False, {"status": code, "why": reasons.said("why_http_no_json", code=code, key=repr(json_key))}
        return True, {"status": code, "content": body, **({"json": json.loads(body)} if json_key else {})}

    return attempt


def inspect_containers(run, names):
    """{name: inspect object or None} of the containers (podman.inspect: a missing one is None)."""
    return podman.inspect(run, "container", names)


def health_attempt(run, containers, run_checks):
    """One round over the containers not yet healthy: run their healthcheck (no systemd timers run
    them here), or read the health Podman reports (its timers run them). Ok when all are healthy."""
    healthy = set()

    def attempt():
        waiting = [c for c in containers if c not in healthy]
        if run_checks:
            for name in waiting:
                rc, out, err = podman.healthcheck_run(run, name)
                if rc == 0:
                    healthy.add(name)
                else:
                    why = _shorten(_last_line(err, out)) or reasons.said("why_exit", rc=rc)
                    return False, {
                        "container": name,
                        "why": reasons.said("why_healthcheck_failing", name=name, why=why),
                    }
            return True, {}
        states = inspect_containers(run, waiting)
        for name in waiting:
            health = (((states.get(name) or {}).get("State") or {}).get("Health") or {}).get("Status", "")
            if health == "healthy":
                healthy.add(name)
        for name in waiting:
            if name not in healthy:
                health = (((states.get(name) or {}).get("State") or {}).get("Health") or {}).get("Status", "")
                why = reasons.said("why_health_is", health=health) if health else reasons.said("why_no_health")
                return False, {"container": name, "why": why}
        return True, {}

    return attempt


def running_attempt(run, container):
    """One look: ok when Podman reports the container running."""

    def attempt():
        state = (inspect_containers(run, [container]).get(container) or {}).get("State") or {}
        if state.get("Running"):
            return True, {}
        return False, {"why": _it_is(state)}

    return attempt


def log_tail(run, container, lines=LOG_LINES):
    """The container's last log lines (its stdout and stderr, as `podman logs` prints them)."""
    rc, out, err = podman.logs(run, container, lines)
    if rc != 0:
        return []
    return [line for line in ((out or "") + "\n" + (err or "")).splitlines() if line.strip()][-lines:]


def _it_is(state):
    """Why a container is not running: Podman's status for it, or that it is missing."""
    return reasons.said("why_it_is", status=state.get("Status") or reasons.said("missing_word"))


def failure_message(what, timeout, why, container, tail, hint="", stopped=False):
    """One sentence, as a said (module_utils.reasons): what did not become ready, in how long (or that it
    stopped), why (and what to do), and the log tail that may say more. what, why and hint are each a
    said or plain text (data)."""
    if isinstance(what, str) and "://" not in what.split(" ")[0]:  # a role's own words start the sentence
        what = what[:1].upper() + what[1:]
    said = (
        reasons.said("not_ready_stopped", what=what)
        if stopped
        else reasons.said("not_ready_within", what=what, timeout=timeout)
    )
    because = [part for part in (why, hint) if part]
    if because:
        said = reasons.said(
            "with_why",
            said=said,
            why=because[0] if len(because) == 1 else reasons.said("why_and_hint", why=because[0], hint=because[1]),
        )
    if container:
        lines = " | ".join(tail) if tail else reasons.said("no_lines")
        said = reasons.said("with_logs", said=said, container=container, lines=lines)
    return said


def wait(params, run, http_get=None, clock=time.monotonic, sleep=time.sleep):
    """Wait as params say ({container, exec, while_running, url, status, contains, json_key, healthy,
    run_healthchecks, logs_of, timeout, interval, what, hint}); returns (ok, result dict with `ready`
    and `stopped`; on failure result['msg'])."""
    container = params.get("container") or ""
    timeout = float(params["timeout"])
    if params.get("exec"):
        attempt = exec_attempt(
            run, container, params["exec"], params.get("contains") or "", bool(params.get("while_running"))
        )
    elif params.get("url"):
        attempt = url_attempt(
            http_get,
            params["url"],
            tuple(params.get("status") or (200,)),
            params.get("contains") or "",
            params.get("json_key") or "",
        )
    elif params.get("healthy"):
        attempt = health_attempt(run, list(params["healthy"]), bool(params.get("run_healthchecks")))
    else:
        attempt = running_attempt(run, container)
    ok, detail, tries, seconds = poll(attempt, timeout, float(params.get("interval") or 0.5), clock, sleep)
    result = {
        "ready": ok,
        "stopped": bool(detail.get("stopped")),
        "tries": tries,
        "seconds": seconds,
        **{k: v for k, v in detail.items() if k not in ("why", "final", "stopped")},
    }
    if ok:
        return True, result
    # Healthchecks name the container that kept the lab waiting; the others wait on the one given.
    whose = detail.get("container") or params.get("logs_of") or container
    if params.get("healthy"):
        what = reasons.said("kind_container", name=whose)
    else:
        what = params.get("what") or params.get("url") or reasons.said("kind_container", name=container)
    tail = log_tail(run, whose) if whose else []
    timeout_text = int(timeout) if timeout == int(timeout) else timeout
    hint = params.get("hint") or ""
    said = failure_message(what, timeout_text, detail.get("why", ""), whose, tail, hint, result["stopped"])
    # msg in English (Ansible's output, the logs); labctl_said the same as data, said in the language labctl shows.
    result.update(log_tail=tail, msg=reasons.english(said), labctl_said=said)
    return False, result
