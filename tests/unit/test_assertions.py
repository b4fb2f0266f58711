"""The exercises' checks judged against Podman 4.3.1's real answers, recorded on real labs
(tests/fixtures/podman/*.json, tests/fixtures/podman/capture.py) and replayed: no Podman here.

Each exercise's own check list (its tasks/verify.yml, templated with its scenario's values) is judged
on the correct lab (every check passes), on the lab broken as a student breaks it (the right check
fails, with the right hint), and on no lab at all; every result is worded in English and German
with every placeholder filled.
"""

import copy
import os

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from tests.conftest import FIXTURE_SCENARIOS, ROOT
from tests.unit.labctl_lab import assertions, judge, recorded, role_vars

COLLECTION = ROOT / "collections/ansible_collections/labctl/lab"
PHRASES = {lang: yaml.safe_load((COLLECTION / "texts" / f"{lang}.yml").read_text()) for lang in ("en", "de")}


def trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def role_of(exercise):
    scenario_file = ROOT / "scenarios" / f"{exercise}.yml"
    if not scenario_file.exists():
        scenario_file = FIXTURE_SCENARIOS / f"{exercise}.yml"
    scenario = yaml.safe_load(scenario_file.read_text())
    roles = ROOT / "roles" if (ROOT / "roles" / scenario["role"]).exists() else FIXTURE_SCENARIOS / "roles"
    return scenario, roles / scenario["role"]


def checks_of(exercise, results=None):
    """The exercise's checks as labctl.lab.checks gets them: templated with the scenario's values, the
    role's defaults and vars, and the registered results of its acting tasks (none: they did not run)."""
    scenario, role = role_of(exercise)
    resources = scenario.get("resources") or {}
    variables = {
        **role_vars(scenario),
        "lab_labels": {"io.labctl.managed": "true", "io.labctl.scenario": exercise},
        "lab_resources": {kind: list((resources.get(kind) or {}).values()) for kind in resources},
        "lab_builds": [
            {"tag": b["tag"], "folder": b["context"], "context": os.fspath(role / "files" / b["context"])}
            for b in (scenario.get("builds") or {}).values()
        ],
    }
    for part in ("defaults", "vars"):
        path = role / part / "main.yml"
        if path.exists():
            variables.update(yaml.safe_load(path.read_text()) or {})
    # A task that acts registers its result even when skipped (--look-only, or nothing to act on).
    variables.update({"__ex4_pod_limits_allocation": {"changed": False, "skipped": True}, **(results or {})})
    tasks = yaml.safe_load((role / "tasks" / "verify.yml").read_text())
    checks = [c for t in tasks for c in (t.get("labctl.lab.checks") or {}).get("checks") or []]
    templar = Templar(loader=DataLoader(), variables=trusted(variables))
    return templar.template(trusted(checks)), role


def texts_of(role):
    return {lang: yaml.safe_load((role / "checks" / f"{lang}.yml").read_text()) for lang in ("en", "de")}


def verdicts(exercise, state, look_only=False, results=None):
    """{check id: result} in English, after checking that German words it as strictly."""
    checks, role = checks_of(exercise, results)
    assert judge.check_problems(checks) == []
    words = texts_of(role)
    german = judge.judge(checks, state, words, PHRASES, lang="de", look_only=look_only, strict=True)
    english = judge.judge(checks, state, words, PHRASES, lang="en", look_only=look_only, strict=True)
    assert [r["status"] for r in german] == [r["status"] for r in english]
    assert all(r["lang"] == "de" for r in german), [r for r in german if r["lang"] != "de"]
    return {r["id"]: r for r in english}


def statuses(results):
    return {cid: r["status"] for cid, r in results.items()}


# --- the correct labs, and none ----------------------------------------------------------------------

ACTING_SKIPPED = {"ex2": "data-survives-restart", "ex4": "allocation-stopped", "ex5": "kill-across-containers"}


@pytest.mark.parametrize("exercise", ["ex1", "ex2", "ex3", "ex4", "ex5"])
def test_every_looking_check_passes_on_the_lab_up_made(exercise):
    results = verdicts(exercise, recorded(exercise, "up"), look_only=True)
    failing = {cid: r for cid, r in results.items() if r["status"] not in ("PASS", "INFO")}
    acting = ACTING_SKIPPED.get(exercise)
    if acting:
        assert failing.pop(acting)["excused"], "--look-only leaves out the check that acts, as no failure"
    assert failing == {}


@pytest.mark.parametrize("exercise", ["ex1", "ex2", "ex3", "ex4", "ex5"])
def test_without_a_lab_every_check_fails_or_skips_and_says_what_to_do(exercise):
    results = verdicts(exercise, recorded(exercise, "absent"))
    for cid, result in results.items():
        if result["status"] == "INFO" or cid.endswith("-image-healthcheck"):  # clean keeps the images
            continue
        assert result["status"] in ("FAIL", "SKIP") and not result["excused"], (cid, result)
        assert result["found"] and result["hint"], (cid, result)


# --- ex1 ------------------------------------------------------------------------------------------------


def test_ex1_passes_with_webservers_address_and_page():
    results = verdicts("ex1", recorded("ex1", "up"))
    assert results["web-answers"]["found"] == "the welcome page"
    assert results["dns-resolves"]["expected"].startswith("webserver resolves to its address on my-web-net (10.")


def test_ex1_client_disconnected_from_the_network():
    results = verdicts("ex1", recorded("ex1", "client-off-network"))
    assert statuses(results) == {
        "network-exists": "PASS",
        "server-running": "PASS",
        "client-running": "FAIL",
        "dns-resolves": "FAIL",
        "web-answers": "FAIL",
    }
    client = results["client-running"]
    assert client["found"] == "client is running, on no network"
    assert "podman run -d --network my-web-net --name client alpine sleep infinity" in client["hint"]
    assert "podman rm -f client" in client["hint"]


def test_ex1_absent():
    results = verdicts("ex1", recorded("ex1", "absent"))
    assert results["network-exists"]["found"] == "no network named my-web-net"
    assert (
        results["server-running"]["hint"]
        == "run it with `podman run -d --network my-web-net --name webserver nginx:alpine`"
    )
    assert results["dns-resolves"]["found"] == "client is not running"


# --- ex2 ------------------------------------------------------------------------------------------------


def test_ex2_the_app_greets_and_counts():
    app = verdicts("ex2", recorded("ex2", "up"))["app-answers"]
    assert app["name"] == 'GET http://localhost:8080 shows "Pod App" and a visit counter that goes up'
    assert "Pod App from Container ID" in app["found"]


def test_ex2_webapp_stopped():
    results = verdicts("ex2", recorded("ex2", "webapp-stopped"), look_only=True)
    assert results["app-in-pod"]["status"] == "FAIL"
    assert results["app-in-pod"]["found"] == "webapp is exited, in pod db-app-pod"
    assert results["app-in-pod"]["hint"].startswith("start it with `podman start webapp`")
    assert results["app-answers"]["status"] == "FAIL"
    assert {cid for cid, r in results.items() if r["status"] == "PASS"} == {"db-in-pod", "volume-mounted"}
    # A pod with a stopped container is Degraded: `podman pod start` starts what is stopped.
    assert results["pod-running"]["found"] == "pod db-app-pod is Degraded, publishing 8080->5000/tcp"
    assert results["pod-running"]["hint"] == "start it with `podman pod start db-app-pod`"


def test_ex2_database_without_the_volume():
    state = copy.deepcopy(recorded("ex2", "up"))
    state["containers"]["database"]["Mounts"] = []
    volume = verdicts("ex2", state, look_only=True)["volume-mounted"]
    assert volume["status"] == "FAIL"
    assert volume["found"] == "nothing mounted at /var/lib/mysql: the data is lost when the container goes"
    assert "-v mysql_data:/var/lib/mysql" in volume["hint"]


def test_ex2_a_wrong_port_mapping_names_the_pods_ports():
    state = copy.deepcopy(recorded("ex2", "up"))
    bindings = state["pods"]["db-app-pod"]["InfraConfig"]["PortBindings"]
    bindings["5000/tcp"][0]["HostPort"] = "8081"
    pod = verdicts("ex2", state, look_only=True)["pod-running"]
    assert pod["status"] == "FAIL" and pod["found"] == "pod db-app-pod is Running, publishing 8081->5000/tcp"
    assert "-p 8080:5000" in pod["hint"] and "podman pod rm -f db-app-pod" in pod["hint"]


def test_ex2_a_greeting_from_the_lab_is_data():
    state = copy.deepcopy(recorded("ex2", "up"))
    sly = "{{ lookup('pipe', 'id') }} {greeting}"
    state["containers"]["webapp"]["Config"]["Env"].append(f"GREETING={sly}")
    for answer in state["http"]["page"]["answers"]:
        answer["body"] = answer["body"].replace("Pod App", sly)
    app = verdicts("ex2", state, look_only=True)["app-answers"]
    assert app["status"] == "PASS" and sly in app["name"] and sly in app["found"]


@pytest.mark.parametrize(
    ("read", "error", "status", "found"),
    [
        ({"rc": 0, "stdout": "Hello from Pod!", "stderr": ""}, "", "PASS", "Hello from Pod!"),
        ({"rc": 0, "stdout": "", "stderr": ""}, "", "FAIL", "no answer"),
        (None, "pod restart failed", "FAIL", "the test did not run to the end: pod restart failed"),
        ({"skipped": True, "changed": False}, "", "SKIP", "database is not running"),
    ],
)
def test_ex2_data_survives_restart(read, error, status, found):
    results = {"__ex2_pod_mysql_read": read, "__ex2_pod_mysql_persist_error": error}
    check = verdicts("ex2", recorded("ex2", "up"), results=results)["data-survives-restart"]
    assert (check["status"], check["found"]) == (status, found)


# --- ex3 ------------------------------------------------------------------------------------------------


def test_ex3_passes_with_health_run_as_step_5_does():
    results = verdicts("ex3", recorded("ex3", "up"))
    assert results["api-healthy"]["expected"] == (
        "Podman reports text-api (healthy): `podman healthcheck run text-api` succeeds"
    )
    assert results["api-image-healthcheck"]["found"].startswith("curl -f http://localhost:5001/health")
    assert results["frontend-page"]["found"] == 'HTTP 200, title "Text Frontend"'
    assert "(from text-app-pod)" in results["api-answers"]["found"]
    assert results["logger-logs"]["found"].startswith("Logger: ")


def test_ex3_frontend_stopped():
    results = verdicts("ex3", recorded("ex3", "frontend-stopped"))
    assert results["frontend-in-pod"]["status"] == "FAIL"
    assert results["frontend-in-pod"]["hint"].startswith("start it with `podman start text-frontend`")
    for cid in ("frontend-healthy", "frontend-page", "api-answers"):
        assert (results[cid]["status"], results[cid]["found"]) == ("SKIP", "text-frontend is not running"), cid
    assert results["api-healthy"]["status"] == "PASS"


def test_ex3_logger_removed():
    results = verdicts("ex3", recorded("ex3", "logger-removed"))
    assert results["logger-in-pod"]["found"] == "no container named text-logger"
    assert (
        'alpine /bin/sh -c "while true; do echo Logger: \\$(date); sleep 10; done"' in results["logger-in-pod"]["hint"]
    )
    assert (results["logger-logs"]["status"], results["logger-logs"]["found"]) == (
        "SKIP",
        "there is no container text-logger",
    )


def test_ex3_an_image_built_without_format_docker():
    state = copy.deepcopy(recorded("ex3", "up"))
    image = state["images"]["localhost/my-text-api:latest"]
    image.pop("Healthcheck", None)
    image.get("Config", {}).pop("Healthcheck", None)
    check = verdicts("ex3", state)["api-image-healthcheck"]
    assert (check["status"], check["found"]) == ("FAIL", "an image without a healthcheck")
    assert "podman build --format docker -t my-text-api:latest ./api" in check["hint"]
    assert "OCI format drops it" in check["hint"]


def test_ex3_a_502_from_nginx_says_the_api_is_unreachable():
    state = copy.deepcopy(recorded("ex3", "up"))
    state["http"]["text"].update(status=502, body="<html><h1>502 Bad Gateway</h1></html>")
    check = verdicts("ex3", state)["api-answers"]
    assert check["found"] == "HTTP 502: 502 Bad Gateway"
    assert check["hint"].startswith("502 Bad Gateway: Nginx could not reach text-api")


# --- ex4 ------------------------------------------------------------------------------------------------


def test_ex4_limits_as_the_kernel_enforces_them():
    results = verdicts("ex4", recorded("ex4", "up"), look_only=True)
    assert results["memory-limit"]["found"].startswith("200 MiB (")
    assert "209715200" in results["memory-limit"]["found"]
    assert results["cpu-limit"]["found"].startswith("1.0 CPU (")
    assert results["pod-stats"]["status"] == "INFO" and "limited-c1" in results["pod-stats"]["found"]


def test_ex4_limited_c2_removed():
    results = verdicts("ex4", recorded("ex4", "c2-removed"), look_only=True)
    assert results["c2-in-pod"]["status"] == "FAIL" and results["c1-in-pod"]["status"] == "PASS"
    assert "podman run -d --pod limited-pod --name limited-c2 alpine sleep infinity" in results["c2-in-pod"]["hint"]


def test_ex4_a_pod_without_limits():
    state = copy.deepcopy(recorded("ex4", "up"))
    limits = state["limits"]["limited-pod"]
    limits.update(memory_bytes=None, cpus=None)
    limits["files"] = {
        k: ("9223372036854771712" if "memory" in k else "-1" if "quota" in k else v) for k, v in limits["files"].items()
    }
    results = verdicts("ex4", state, look_only=True)
    assert results["memory-limit"]["status"] == "FAIL" and results["memory-limit"]["found"].startswith("no limit")
    assert "--memory 200m --cpus 1.0" in results["memory-limit"]["hint"]


def test_ex4_rootless_on_cgroup_v1_is_not_enforced():
    state = copy.deepcopy(recorded("ex4", "up"))
    limits = state["limits"]["limited-pod"]
    limits["reasons"] = {k: ["rootless_v1", {}] for k in ("memory", "cpu", "both")}
    results = verdicts("ex4", state)
    for cid in ("memory-limit", "cpu-limit", "allocation-stopped"):
        assert results[cid]["status"] == "NOT_ENFORCED", cid
        assert results[cid]["found"].startswith("not enforced here: rootless Podman cannot apply limits on cgroup v1")
        assert "do this exercise as root" in results[cid]["hint"]


@pytest.mark.parametrize(
    ("probe", "status", "found"),
    [
        (
            {"rc": 137, "killed": True, "others_running": True},
            "PASS",
            "OOM-killed (exit 137); other containers running",
        ),
        ({"rc": 0, "killed": False, "others_running": True}, "FAIL", "the allocation succeeded: nothing stopped it"),
        (
            {"rc": 137, "killed": True, "others_running": False, "others_not_running": ["limited-c2"]},
            "FAIL",
            "OOM-killed (exit 137); other containers NOT all running: limited-c2",
        ),
    ],
)
def test_ex4_the_allocation(probe, status, found):
    results = {"__ex4_pod_limits_allocation": {"changed": False, "probe": {"stderr": "", **probe}}}
    check = verdicts("ex4", recorded("ex4", "up"), results=results)["allocation-stopped"]
    assert check["status"] == status and check["found"].startswith(found)


# --- ex5 ------------------------------------------------------------------------------------------------


def test_ex5_the_viewer_sees_sleep_3600():
    results = verdicts("ex5", recorded("ex5", "up"), look_only=True)
    assert results["viewer-sees-holder"]["found"].startswith("sleep 3600 as PID ")


def test_ex5_after_the_course_killed_the_sleep_in_step_4():
    results = verdicts("ex5", recorded("ex5", "killed-in-step-4"), look_only=True)
    assert results["holder-running"]["found"] == "Exited (143): killed from another container, as in step 4"
    viewer = results["viewer-sees-holder"]
    assert viewer["status"] == "SKIP" and viewer["excused"] and "step 4" in viewer["found"]


def test_ex5_the_pod_stopped():
    results = verdicts("ex5", recorded("ex5", "pod-stopped"), look_only=True)
    holder = results["holder-running"]
    assert holder["status"] == "FAIL" and "podman pod start pid-share-pod" in holder["hint"]
    viewer = results["viewer-sees-holder"]
    assert viewer["status"] == "SKIP" and not viewer["excused"]


def test_ex5_a_pod_created_without_share_pid():
    state = copy.deepcopy(recorded("ex5", "up"))
    state["pods"]["pid-share-pod"]["SharedNamespaces"] = ["uts", "ipc", "net"]
    share = verdicts("ex5", state, look_only=True)["pid-shared"]
    assert share["status"] == "FAIL" and share["found"] == "pod pid-share-pod shares ipc, net, uts"
    assert "podman pod rm -f pid-share-pod" in share["hint"]
    assert "podman pod create --name pid-share-pod --share pid" in share["hint"]


PS = (
    "PID   USER     TIME  COMMAND\n"
    "    1 root      0:00 /catatonit -P\n"
    "    8 root      0:00 sleep 3601\n"
    "   15 root      0:00 ps aux\n"
)


@pytest.mark.parametrize(
    ("view", "after", "status", "found"),
    [
        (
            PS,
            {"State": {"Status": "exited", "ExitCode": 143}},
            "PASS",
            "process-holder-probe Exited (143) after `kill 8`",
        ),
        (PS, {"State": {"Status": "running"}}, "FAIL", "process-holder-probe still running 30 s after `kill 8`"),
        ("1 root /catatonit -P\n", None, "FAIL", "no temporary container of the pod sees `sleep 3601`"),
    ],
)
def test_ex5_the_signal_across_containers(view, after, status, found):
    results = {
        "__ex5_pid_share_probe_view": {"stdout": view},
        "__ex5_pid_share_kill": {"changed": False},
        "__ex5_pid_share_probe_state": {"containers": [after] if after else []},
    }
    check = verdicts("ex5", recorded("ex5", "up"), results=results)["kill-across-containers"]
    assert check["status"] == status and check["found"].startswith(found), check


def test_every_assertion_is_used_by_an_exercise():
    used = set()
    for exercise in ("ex1", "ex2", "ex3", "ex4", "ex5", "ex6"):
        used |= {c["assert"] for c in checks_of(exercise)[0]}
    assert set(assertions.ASSERTIONS) == used
