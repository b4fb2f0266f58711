"""Grading hand-made labs: the course's commands as a student types them pass `labctl verify`, and
realistic mistakes fail the right check, with a useful hint, and no other check wrongly."""

import subprocess
from dataclasses import dataclass, field

import pytest

from tests.conftest import ROOT, run_labctl

pytestmark = pytest.mark.podman

STUDENT_SCRIPTS = sorted(p.stem for p in (ROOT / "tests" / "student").glob("ex*.sh"))


def sh(script: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("scenario", STUDENT_SCRIPTS)
def test_the_course_commands_typed_by_hand_pass_verify(scenario, clean_scenario, tmp_path):
    clean_scenario(scenario)
    prepared = run_labctl("prepare", scenario, "--dir", str(tmp_path))
    assert prepared.rc == 0, prepared.stdout + prepared.stderr
    again = run_labctl("prepare", scenario, "--dir", str(tmp_path), "--json")
    assert again.rc == 0 and again.json()["changed"] == 0, "prepare is idempotent"

    typed = subprocess.run(
        ["bash", str(ROOT / "tests" / "student" / f"{scenario}.sh")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert typed.returncode == 0, typed.stdout[-3000:] + typed.stderr[-3000:]

    verify = run_labctl("verify", scenario, "--json")
    # ex5's script goes to the end of step 4 (process-holder killed): what needs it running is SKIP.
    failing = [
        c
        for c in verify.json()["checks"]
        if c["status"] not in ("PASS", "INFO") and not (c["status"] == "SKIP" and "step 4" in c["found"])
    ]
    assert verify.rc == 0 and verify.json()["passed"] and not failing, failing


@dataclass
class Mistake:
    scenario: str
    what: str
    commands: str  # typed after `labctl prepare`, instead of the course's commands
    fails: str  # the check that must FAIL
    hint: str  # words the hint must contain
    passes: list[str] = field(default_factory=list)  # checks that must still PASS
    teardown: str = ""  # removes what the mistake made that `labctl clean` does not know


EX1_OK_CLIENT = "podman run -d --network my-web-net --name client alpine sleep infinity"
EX1_OK_SERVER = "podman run -d --network my-web-net --name webserver nginx:alpine"
EX2_POD_DB = (
    "podman volume create mysql_data && podman run -d --pod db-app-pod --name database "
    "-v mysql_data:/var/lib/mysql -e MYSQL_ROOT_PASSWORD=mysecretpassword -e MYSQL_DATABASE=webappdb "
    "mysql:8.0"
)
EX2_APP = (
    "--name webapp -e MYSQL_ROOT_PASSWORD=mysecretpassword -e MYSQL_DATABASE=webappdb "
    "-e GREETING='Pod App' my-flask-app:1.1"
)
EX4_C = "podman run -d --pod limited-pod --name {} alpine sleep infinity"
EX5_HOLDER = "podman run -d --pod pid-share-pod --name process-holder alpine sleep 3600"
EX5_SHARE = "pod pid-share-pod shares the PID namespace (--share pid)"
EX5_HOLDER_CHECK = "container process-holder in pod pid-share-pod, running (or killed in step 4)"
EX5_SEES = "a temporary container in pod pid-share-pod sees `sleep 3600` of process-holder (`ps aux`)"
EX3_BUILD = (
    "podman build --format docker -t my-text-api:latest ./api && "
    "podman build --format docker -t my-text-frontend:latest ./frontend"
)
EX3_RUN = (
    "podman run -d --pod text-app-pod --name text-api my-text-api:latest && "
    "podman run -d --pod text-app-pod --name text-frontend my-text-frontend:latest"
)
EX3_LOGGER = "--name text-logger alpine /bin/sh -c 'while true; do echo Logger: $(date); sleep 10; done'"

MISTAKES = [
    Mistake(
        "ex1",
        "client on the default network",
        f"podman network create my-web-net && {EX1_OK_SERVER} && podman run -d --name client alpine sleep infinity",
        "container client running on my-web-net",
        "podman run -d --network my-web-net --name client",
        ["network my-web-net exists", "container webserver running on my-web-net"],
    ),
    Mistake(
        "ex1",
        "network named with an underscore",
        "podman network create my_web_net && podman run -d --network my_web_net --name webserver nginx:alpine"
        " && podman run -d --network my_web_net --name client alpine sleep infinity",
        "network my-web-net exists",
        "podman network create my-web-net",
        [],
        teardown="podman rm -f -t 0 webserver client; podman network rm -f my_web_net",
    ),
    Mistake(
        "ex1",
        "webserver stopped",
        f"podman network create my-web-net && {EX1_OK_SERVER} && {EX1_OK_CLIENT} && podman stop webserver",
        "container webserver running on my-web-net",
        "podman start webserver",
        ["network my-web-net exists", "container client running on my-web-net"],
    ),
    Mistake(
        "ex2",
        "wrong port mapping",
        f"podman pod create --name db-app-pod -p 8081:5000 && {EX2_POD_DB} && podman run -d --pod db-app-pod {EX2_APP}",
        "pod db-app-pod running, publishing 8080 -> 5000",
        "-p 8080:5000",
        [
            "container webapp running in pod db-app-pod",
            "container database running in pod db-app-pod",
            "volume mysql_data mounted at /var/lib/mysql in database",
        ],
    ),
    Mistake(
        "ex2",
        "webapp started outside the pod",
        f"podman pod create --name db-app-pod -p 8080:5000 && {EX2_POD_DB} && podman run -d {EX2_APP}",
        "container webapp running in pod db-app-pod",
        "podman run -d --pod db-app-pod --name webapp",
        [
            "pod db-app-pod running, publishing 8080 -> 5000",
            "container database running in pod db-app-pod",
            "volume mysql_data mounted at /var/lib/mysql in database",
        ],
    ),
    Mistake(
        "ex2",
        "database without the volume",
        "podman pod create --name db-app-pod -p 8080:5000 && podman run -d --pod db-app-pod --name database "
        "-e MYSQL_ROOT_PASSWORD=mysecretpassword -e MYSQL_DATABASE=webappdb mysql:8.0 && "
        f"podman run -d --pod db-app-pod {EX2_APP}",
        "volume mysql_data mounted at /var/lib/mysql in database",
        "-v mysql_data:/var/lib/mysql",
        [
            "pod db-app-pod running, publishing 8080 -> 5000",
            "container database running in pod db-app-pod",
            "container webapp running in pod db-app-pod",
        ],
    ),
    Mistake(
        "ex3",
        "API image built without --format docker",
        "podman build -t my-text-api:latest ./api && "
        "podman build --format docker -t my-text-frontend:latest ./frontend && "
        f"podman pod create --name text-app-pod -p 8089:80 && {EX3_RUN} && podman run -d --pod text-app-pod "
        f"{EX3_LOGGER}",
        "image my-text-api:latest has a HEALTHCHECK",
        "--format docker",
        [
            "image my-text-frontend:latest has a HEALTHCHECK",
            "container text-api running in pod text-app-pod",
            "pod text-app-pod running, port 8089 -> 80",
        ],
    ),
    Mistake(
        "ex3",
        "port 8090 instead of 8089",
        f"{EX3_BUILD} && podman pod create --name text-app-pod -p 8090:80 && {EX3_RUN} && "
        f"podman run -d --pod text-app-pod {EX3_LOGGER}",
        "pod text-app-pod running, port 8089 -> 80",
        "-p 8089:80",
        ["container text-api running in pod text-app-pod", "image my-text-api:latest has a HEALTHCHECK"],
    ),
    Mistake(
        "ex3",
        "logger started outside the pod",
        f"{EX3_BUILD} && podman pod create --name text-app-pod -p 8089:80 && {EX3_RUN} && podman run -d {EX3_LOGGER}",
        "container text-logger running in pod text-app-pod",
        "--pod text-app-pod",
        [
            "pod text-app-pod running, port 8089 -> 80",
            "container text-api running in pod text-app-pod",
            "container text-frontend running in pod text-app-pod",
        ],
    ),
    Mistake(
        "ex4",
        "pod without limits",
        f"podman pod create --name limited-pod -p 8082:80 && {EX4_C.format('limited-c1')} && "
        f"{EX4_C.format('limited-c2')}",
        "memory limit of limited-pod enforced (200m)",
        "--memory 200m --cpus 1.0",
        ["pod limited-pod running", "container limited-c1 running in pod limited-pod"],
    ),
    Mistake(
        "ex4",
        "300 MiB instead of 200",
        f"podman pod create --name limited-pod --memory 300m --cpus 1.0 -p 8082:80 && "
        f"{EX4_C.format('limited-c1')} && {EX4_C.format('limited-c2')}",
        "memory limit of limited-pod enforced (200m)",
        "--memory 200m",
        [
            "CPU limit of limited-pod enforced (1.0 CPU)",
            "pod limited-pod running",
            "a 500 MiB allocation in the pod is stopped, the other containers keep running",
        ],
    ),
    Mistake(
        "ex4",
        "limited-c2 outside the pod",
        f"podman pod create --name limited-pod --memory 200m --cpus 1.0 -p 8082:80 && "
        f"{EX4_C.format('limited-c1')} && podman run -d --name limited-c2 alpine sleep infinity",
        "container limited-c2 running in pod limited-pod",
        "podman run -d --pod limited-pod --name limited-c2",
        [
            "container limited-c1 running in pod limited-pod",
            "memory limit of limited-pod enforced (200m)",
            "CPU limit of limited-pod enforced (1.0 CPU)",
        ],
    ),
    Mistake(
        "ex5",
        "pod created without --share pid",
        f"podman pod create --name pid-share-pod && {EX5_HOLDER}",
        EX5_SHARE,
        "podman pod create --name pid-share-pod --share pid",
        [EX5_HOLDER_CHECK],
    ),
    Mistake(
        "ex5",
        "process-holder started outside the pod",
        "podman pod create --name pid-share-pod --share pid && podman run -d --name process-holder alpine sleep 3600",
        EX5_HOLDER_CHECK,
        "--pod pid-share-pod",
        [EX5_SHARE],
    ),
    Mistake(
        "ex5",
        "process-holder stopped with the whole pod",
        f"podman pod create --name pid-share-pod --share pid && {EX5_HOLDER} && podman pod stop pid-share-pod",
        EX5_HOLDER_CHECK,
        "podman pod start pid-share-pod",
        [EX5_SHARE],
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.scenario}: {m.what}")
def test_a_mistake_fails_the_right_check(mistake, clean_scenario, tmp_path):
    clean_scenario(mistake.scenario)
    assert run_labctl("prepare", mistake.scenario, "--dir", str(tmp_path)).rc == 0
    try:
        made = sh(mistake.commands, tmp_path)
        assert made.returncode == 0, made.stderr
        verify = run_labctl("verify", mistake.scenario, "--json")
    finally:
        if mistake.teardown:
            sh(mistake.teardown, tmp_path)
    assert verify.rc == 1, verify.stdout
    checks = {c["name"]: c for c in verify.json()["checks"]}
    failed = checks[mistake.fails]
    assert failed["status"] == "FAIL", failed
    assert mistake.hint in failed["hint"], failed
    assert failed["expected"] and failed["found"]
    for name in mistake.passes:
        assert checks[name]["status"] == "PASS", checks[name]
