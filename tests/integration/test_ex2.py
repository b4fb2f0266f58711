"""Exercise 2 end to end on real Podman: the pod with Flask and MySQL, data on a volume."""

import re
import subprocess
import urllib.request

import pytest

from tests.conftest import hold_port, podman, podman_json, run_labctl

pytestmark = pytest.mark.podman

CONTAINERS = ("database", "webapp")
PASSWORD = "mysecretpassword"


def ids() -> dict[str, str]:
    return {c["Names"][0]: c["Id"] for c in podman_json("ps", "-a", "--format", "json") if c["Names"][0] in CONTAINERS}


def visits() -> int:
    with urllib.request.urlopen("http://localhost:8080/", timeout=10) as answer:
        text = answer.read().decode()
    match = re.search(r"Pod App from Container ID \w+! Visits: (\d+)", text)
    assert match, text
    return int(match.group(1))


def sql(query: str) -> str:
    return podman(
        "exec",
        "database",
        "sh",
        "-c",
        f'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -h127.0.0.1 -N -B webappdb -e "{query}"',
    ).strip()


def ex2_left() -> dict[str, list[str]]:
    label = "label=io.labctl.scenario=ex2"
    return {
        "pod": podman("pod", "ps", "-q", "--filter", "name=^db-app-pod$").split(),
        "containers": [n for n in CONTAINERS if podman_json("ps", "-a", "--format", "json", "--filter", f"name=^{n}$")],
        "volume": podman("volume", "ls", "-q", "--filter", "name=^mysql_data$").split(),
        "by label": (
            podman("ps", "-aq", "--filter", label)
            + podman("pod", "ps", "-q", "--filter", label)
            + podman("volume", "ls", "-q", "--filter", label)
        ).split(),
    }


def test_ex2_full_cycle(clean_scenario):
    clean_scenario("ex2")
    assert run_labctl("clean", "ex2").rc == 0

    up = run_labctl("up", "ex2")
    assert up.rc == 0, up.stderr
    assert PASSWORD not in up.stdout + up.stderr
    first = ids()
    assert set(first) == set(CONTAINERS)
    assert visits() == 1, "up waits on /health, so the first visit is the student's"
    pod = podman_json("pod", "inspect", "db-app-pod")
    assert pod["Labels"]["io.labctl.scenario"] == "ex2"
    assert podman_json("volume", "inspect", "mysql_data")[0]["Labels"]["io.labctl.scenario"] == "ex2"

    verify = run_labctl("verify", "ex2", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    checks = verify.json()["checks"]
    assert len(checks) == 6 and {c["status"] for c in checks} == {"PASS"}
    assert PASSWORD not in verify.stdout + verify.stderr
    assert ids() == first, "verify restarts the pod but keeps the containers"

    again = run_labctl("up", "ex2")
    assert again.rc == 0 and "already in place" in again.stdout, again.stdout + again.stderr
    # `--converge` changing nothing is Molecule's idempotence step, and verify of a fresh up its verify (test_molecule).

    assert sql("SELECT message FROM pod_test") in ("Hello from Pod!", "Hello again!")
    kept = run_labctl("reset", "ex2", "--keep-data")
    assert kept.rc == 0, kept.stderr
    assert sql("SELECT message FROM pod_test") in ("Hello from Pod!", "Hello again!"), "--keep-data keeps rows"
    assert not set(ids().values()) & set(first.values())

    reset = run_labctl("reset", "ex2")
    assert reset.rc == 0, reset.stderr
    assert visits() == 1, "reset wipes the database: the counter starts again"
    assert sql("SHOW TABLES LIKE 'pod_test'") == ""

    clean = run_labctl("clean", "ex2")
    assert clean.rc == 0, clean.stderr
    assert ex2_left() == {"pod": [], "containers": [], "volume": [], "by label": []}
    assert subprocess.run(["podman", "image", "exists", "localhost/my-flask-app:1.1"]).returncode == 0, (
        "clean keeps the built image"
    )
    assert run_labctl("clean", "ex2").rc == 0

    gone = run_labctl("clean", "ex2", "--images")
    assert gone.rc == 0, gone.stderr
    assert subprocess.run(["podman", "image", "exists", "localhost/my-flask-app:1.1"]).returncode == 1


def test_verify_names_a_database_without_its_volume(clean_scenario):
    """The course's persistence point: a database without the volume loses its data."""
    clean_scenario("ex2")
    assert run_labctl("up", "ex2").rc == 0
    podman("rm", "-f", "-t", "0", "database")
    podman(
        "run",
        "-d",
        "--pod",
        "db-app-pod",
        "--name",
        "database",
        "-e",
        f"MYSQL_ROOT_PASSWORD={PASSWORD}",
        "-e",
        "MYSQL_DATABASE=webappdb",
        "docker.io/library/mysql:8.0",
    )
    verify = run_labctl("verify", "ex2", "--json")
    assert verify.rc == 1
    checks = {c["name"]: c for c in verify.json()["checks"]}
    volume = checks["volume mysql_data mounted at /var/lib/mysql in database"]
    assert volume["status"] == "FAIL"
    assert "-v mysql_data:/var/lib/mysql" in volume["hint"]
    assert checks["container database running in pod db-app-pod"]["status"] == "PASS"
    assert checks["pod db-app-pod running, publishing 8080 -> 5000"]["status"] == "PASS"


@pytest.fixture
def port_8080_held():
    with hold_port(8080) as (_, pid):
        yield pid


def test_up_fails_before_creating_anything_when_8080_is_taken(clean_scenario, port_8080_held):
    clean_scenario("ex2")
    run_labctl("clean", "ex2")
    up = run_labctl("up", "ex2")
    assert up.rc == 3, up.stdout + up.stderr
    assert (
        f"Port 8080 is in use by python3 (PID {port_8080_held}), but scenario ex2 needs it" in up.stderr
        or f"Port 8080 is in use by python (PID {port_8080_held}), but scenario ex2 needs it" in up.stderr
    )
    assert ex2_left() == {"pod": [], "containers": [], "volume": [], "by label": []}


@pytest.mark.parametrize(
    ("var", "says"),
    [
        ("greeting=Hi", "role ex2_pod_mysql has no such variable; it takes ex2_pod_mysql_app_port"),
        ("ex2_pod_mysql_root_pasword=x", "--var ex2_pod_mysql_root_pasword: role ex2_pod_mysql has no such variable"),
        ("ex2_pod_mysql_host_port=9090", "come from its scenario file"),
        ("ex2_pod_mysql_pod=other-pod", "come from its scenario file"),
        ("ex2_pod_mysql_db_wait_seconds=soon", "'soon' is not an int"),
        ("lab_action=clean", "role ex2_pod_mysql has no such variable"),
    ],
)
def test_a_bad_var_is_a_usage_error_naming_it(var, says):
    result = run_labctl("up", "ex2", "--var", var)
    assert result.rc == 2, result.stdout + result.stderr
    assert says in result.stderr
