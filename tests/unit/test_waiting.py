"""labctl.lab.wait_ready's logic: polling with a deadline (a clock that moves only when the wait
sleeps), the four ways to wait, and the one sentence with the log tail on a time-out. No Podman."""

import json

import pytest
from ansible_collections.labctl.lab.plugins.module_utils import reasons, waiting

import tests.unit.collection  # noqa: F401 - module_utils importable


class Clock:
    def __init__(self, cost=0.0):
        self.now, self.slept, self.cost = 0.0, [], cost  # cost: seconds each try takes

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Podman:
    """run(argv) answering from a list of (rc, out, err) per command word (exec, logs, inspect …)."""

    def __init__(self, clock, **answers):
        self.clock, self.answers, self.calls = clock, {k: list(v) for k, v in answers.items()}, []

    def __call__(self, argv):
        self.calls.append(argv)
        self.clock.now += self.clock.cost
        key = argv[1] if argv[1] != "container" else argv[2]
        queue = self.answers[key]
        return queue.pop(0) if len(queue) > 1 else queue[0]


def wait(params, run, **kw):
    clock = run.clock if hasattr(run, "clock") else Clock()
    return waiting.wait(params, run, clock=clock, sleep=clock.sleep, **kw)


def test_poll_tries_until_ok_and_sleeps_only_between_tries():
    clock = Clock()
    answers = iter([(False, {"why": "a"}), (False, {"why": "b"}), (True, {})])
    ok, _detail, tries, seconds = waiting.poll(lambda: next(answers), 10, 0.5, clock, clock.sleep)
    assert (ok, tries, seconds) == (True, 3, 1.0) and clock.slept == [0.5, 0.5]


def test_poll_never_sleeps_past_the_deadline_and_tries_at_least_once():
    clock = Clock()
    ok, detail, tries, _ = waiting.poll(lambda: (False, {"why": "no"}), 2, 0.5, clock, clock.sleep)
    assert not ok and detail == {"why": "no"} and tries == 5 and clock.now == 2.0
    clock = Clock()
    ok, _, tries, _ = waiting.poll(lambda: (False, {}), 0, 0.5, clock, clock.sleep)
    assert not ok and tries == 1 and clock.slept == []


def test_a_command_in_a_container_until_it_prints_what_is_wanted():
    clock = Clock()
    run = Podman(clock, exec=[(1, "", "wget: bad address 'webserver'"), (0, "<p>Welcome to nginx!</p>", "")])
    ok, result = wait(
        {
            "container": "client",
            "exec": ["wget", "-q", "-O", "-", "http://webserver"],
            "contains": "Welcome to nginx",
            "timeout": 30,
        },
        run,
    )
    assert ok and result["tries"] == 2 and "Welcome" in result["stdout"]
    assert run.calls[0] == ["podman", "exec", "client", "wget", "-q", "-O", "-", "http://webserver"]


def test_a_time_out_says_what_why_and_the_log_tail_of_the_container_named():
    clock = Clock()
    lines = "\n".join(f"line {n}" for n in range(1, 12))
    run = Podman(clock, exec=[(1, "", "Error: can't connect to local MySQL server")], logs=[(0, lines, "")])
    ok, result = wait(
        {
            "container": "database",
            "exec": ["sh", "-c", "mysql -e 'SELECT 1'"],
            "timeout": 3,
            "what": "the database container database answering SELECT 1",
        },
        run,
    )
    assert not ok
    assert result["msg"] == (
        "The database container database answering SELECT 1 was not ready within 3 s (exit 1: can't connect to "
        "local MySQL server); the last log lines of database: " + " | ".join(f"line {n}" for n in range(4, 12))
    )
    assert run.calls[-1] == ["podman", "logs", "--tail", "8", "database"]
    assert result["log_tail"][-1] == "line 11"


IMPROPER = (125, "", "Error: can only create exec sessions on running containers: container state improper")


def test_a_command_in_a_container_that_stopped_ends_the_wait_at_once_while_running():
    """ex2: a MySQL whose first start was cut short exits; asking it for 120 s more helps nobody."""
    clock = Clock()
    exited = (0, json.dumps([{"Name": "database", "State": {"Running": False, "Status": "exited"}}]), "")
    run = Podman(
        clock,
        exec=[(1, "", "ERROR 2003: Can't connect"), IMPROPER],
        inspect=[exited],
        logs=[(0, "[ERROR] [MY-012930] [InnoDB] Data structure corruption", "")],
    )
    params = {
        "container": "database",
        "exec": ["sh", "-c", "mysql -e 'SELECT 1'"],
        "while_running": True,
        "timeout": 120,
        "what": "the database container database",
        "hint": "`labctl reset ex2` starts it afresh, without its data",
    }
    ok, result = wait(params, run)
    assert not ok and result["tries"] == 2 and result["stopped"] and not result["ready"]
    assert result["msg"] == (
        "The database container database was not ready and stopped (it is exited; `labctl reset ex2` starts it "
        "afresh, without its data); the last log lines of database: [ERROR] [MY-012930] [InnoDB] Data structure "
        "corruption"
    )
    assert "final" not in result and clock.now == 0.5


def test_without_while_running_a_stopped_container_is_asked_until_the_deadline():
    clock = Clock()
    run = Podman(clock, exec=[IMPROPER], logs=[(0, "", "")])
    ok, result = wait({"container": "database", "exec": ["true"], "timeout": 2}, run)
    assert not ok and not result["stopped"] and result["tries"] == 5
    assert not any(call[1] == "container" for call in run.calls), "no inspect without while_running"


def test_podman_refusing_a_container_that_still_runs_keeps_the_wait_going():
    clock = Clock()
    running = (0, json.dumps([{"Name": "database", "State": {"Running": True, "Status": "running"}}]), "")
    run = Podman(clock, exec=[(125, "", "Error: OCI runtime error"), (0, "1", "")], inspect=[running])
    ok, result = wait({"container": "database", "exec": ["true"], "while_running": True, "timeout": 5}, run)
    assert ok and result["ready"] and not result["stopped"] and result["tries"] == 2


def test_the_log_tail_may_be_another_containers():
    clock = Clock()
    run = Podman(clock, exec=[(1, "", "bad address")], logs=[(0, "", "nginx: [emerg] host not found")])
    ok, result = wait({"container": "client", "exec": ["wget"], "logs_of": "webserver", "timeout": 1}, run)
    assert not ok and result["msg"].endswith("the last log lines of webserver: nginx: [emerg] host not found")
    assert result["msg"].startswith("Container client was not ready within 1 s (exit 1: bad address)")


def test_a_url_until_it_answers_and_an_http_error_is_an_answer_that_is_not_ready():
    clock = Clock()
    answers = iter([(None, "", "[Errno 111] Connection refused"), (502, "Bad Gateway", ""), (200, "ok", "")])
    ok, result = wait(
        {"url": "http://localhost:8080/health", "container": "webapp", "timeout": 60},
        Podman(clock),
        http_get=lambda url, timeout: next(answers),
    )
    assert ok and result["status"] == 200 and result["tries"] == 3


def test_a_url_whose_json_must_carry_a_value():
    clock = Clock()
    answers = iter([(200, json.dumps({"text": ""}), ""), (200, json.dumps({"text": "Hello"}), "")])
    ok, result = wait(
        {"url": "http://localhost:8089/api/text", "json_key": "text", "container": "text-frontend", "timeout": 30},
        Podman(clock),
        http_get=lambda url, timeout: next(answers),
    )
    assert ok and result["json"] == {"text": "Hello"}


def test_a_url_that_never_answers_names_the_last_answer():
    clock = Clock()
    run = Podman(clock, logs=[(0, "GET /api/text 502", "")])
    ok, result = wait(
        {"url": "http://localhost:8089/api/text", "container": "text-frontend", "timeout": 2},
        run,
        http_get=lambda url, timeout: (502, "", ""),
    )
    assert not ok
    assert result["msg"] == (
        "http://localhost:8089/api/text was not ready within 2 s (HTTP 502); the last log lines of text-frontend: "
        "GET /api/text 502"
    )


def test_health_by_running_the_checks_stops_running_those_that_passed():
    clock = Clock()
    run = Podman(clock, healthcheck=[(0, "", ""), (1, "", "unhealthy"), (0, "", "")])
    ok, _result = wait({"healthy": ["text-api", "text-frontend"], "run_healthchecks": True, "timeout": 60}, run)
    assert ok
    ran = [c[-1] for c in run.calls]
    assert ran == ["text-api", "text-frontend", "text-frontend"]


def test_health_that_never_comes_names_the_container_and_shows_its_log():
    clock = Clock()
    run = Podman(clock, healthcheck=[(1, "", "unhealthy")], logs=[(0, "Traceback: ModuleNotFoundError: flask", "")])
    ok, result = wait({"healthy": ["text-api", "text-frontend"], "run_healthchecks": True, "timeout": 1}, run)
    assert not ok
    assert result["msg"].startswith(
        "Container text-api was not ready within 1 s (`podman healthcheck run text-api` keeps failing: unhealthy)"
    )
    assert result["msg"].endswith("the last log lines of text-api: Traceback: ModuleNotFoundError: flask")


def inspected(**health):
    return (0, json.dumps([{"Name": n, "State": {"Health": {"Status": s}}} for n, s in health.items()]), "")


def test_health_by_the_timers_only_reads_what_podman_reports():
    clock = Clock()
    run = Podman(
        clock,
        inspect=[inspected(a="starting", b="starting"), inspected(a="healthy", b="starting"), inspected(b="healthy")],
    )
    ok, _ = wait({"healthy": ["a", "b"], "run_healthchecks": False, "timeout": 10}, run)
    assert ok
    assert [c[5:] for c in run.calls] == [["a", "b"], ["a", "b"], ["b"]]  # podman container inspect --format json
    assert not any(c[1] == "healthcheck" for c in run.calls)


@pytest.mark.parametrize(
    ("states", "ok", "said"),
    [
        ([{"Running": False, "Status": "created"}, {"Running": True, "Status": "running"}], True, ""),
        ([{"Running": False, "Status": "exited"}], False, "(it is exited)"),
    ],
)
def test_a_container_until_it_runs(states, ok, said):
    clock = Clock()
    run = Podman(
        clock,
        inspect=[(0, json.dumps([{"Name": "process-holder", "State": s}]), "") for s in states],
        logs=[(0, "", "")],
    )
    done, result = wait({"container": "process-holder", "timeout": 1}, run)
    assert done is ok
    assert said in result.get("msg", "")
    if not ok:
        assert result["msg"].endswith("the last log lines of process-holder: none")


def test_a_missing_container_is_not_running():
    clock = Clock()
    run = Podman(clock, inspect=[(125, "[]", "Error: no such container")], logs=[(125, "", "no such container")])
    ok, result = wait({"container": "process-holder", "timeout": 0.5}, run)
    assert not ok and "(it is missing)" in result["msg"]


def test_a_time_out_is_said_in_german_from_the_roles_words_as_data():
    """ex2's database wait as its role words it (what and hint are saids): the same sentence in German."""
    clock = Clock()
    exited = (0, json.dumps([{"Name": "database", "State": {"Running": False, "Status": "exited"}}]), "")
    run = Podman(clock, exec=[IMPROPER], inspect=[exited], logs=[(0, "", "")])
    params = {
        "container": "database",
        "exec": ["true"],
        "while_running": True,
        "timeout": 120,
        "what": reasons.said("wait_database", name="database"),
        "hint": reasons.said("hint_reset_ex2"),
    }
    ok, result = wait(params, run)
    assert not ok
    assert result["msg"] == (
        "The database container database was not ready and stopped (it is exited; `labctl reset ex2` starts it "
        "afresh, without its data); the last log lines of database: none"
    )
    assert reasons.say(result["labctl_said"], "de") == (
        "Der Datenbank-Container database war nicht bereit und hat angehalten (er ist exited; `labctl reset ex2` "
        "startet ihn neu, ohne seine Daten); die letzten Log-Zeilen von database: keine"
    )


def test_a_url_that_is_waited_for_stays_as_it_is_at_the_start_of_the_sentence():
    said = waiting.failure_message("http://localhost:8089/api/text", 5, reasons.said("why_no_answer"), "", [])
    assert reasons.english(said) == "http://localhost:8089/api/text was not ready within 5 s (no answer)"
    assert (
        reasons.say(said, "de") == "http://localhost:8089/api/text war nicht innerhalb von 5 s bereit (keine Antwort)"
    )
