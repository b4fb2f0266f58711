"""`labctl status` and `labctl list` against the live lab: straight from Podman, no Ansible."""

import pytest

from tests.conftest import podman, run_labctl

pytestmark = pytest.mark.podman


def test_status_follows_a_lab_from_absent_to_up_to_failing(clean_scenario):
    clean_scenario("ex1")
    assert run_labctl("clean", "ex1").rc == 0
    table = {s["id"]: s for s in run_labctl("status", "--json").json()}
    assert table["ex1"]["state"] == "absent"

    assert run_labctl("up", "ex1").rc == 0
    table = {s["id"]: s for s in run_labctl("status", "--json").json()}
    assert table["ex1"]["state"] == "up" and table["ex1"]["missing"] == []

    podman("stop", "-t", "0", "client")
    table = {s["id"]: s for s in run_labctl("status", "--json").json()}
    assert table["ex1"]["state"] == "up-but-failing"
    assert table["ex1"]["problems"] == ["client is exited (137)"]

    podman("rm", "-f", "-t", "0", "client")
    table = {s["id"]: s for s in run_labctl("status", "--json").json()}
    assert table["ex1"]["state"] == "partial" and table["ex1"]["missing"] == ["container client"]

    text = run_labctl("status")
    assert text.rc == 0 and "missing container client" in text.stdout


def test_status_of_one_scenario_draws_the_pod_tree(clean_scenario):
    clean_scenario("ex4")
    assert run_labctl("up", "ex4").rc == 0
    tree = run_labctl("status", "ex4")
    assert tree.rc == 0, tree.stderr
    assert "pod limited-pod (Running, IP " in tree.stdout
    assert "ports 8082->80/tcp" in tree.stdout
    # Where no registry answers, the course runs on look-alikes, and the tree says so.
    label = podman("image", "inspect", "--format", '{{index .Labels "io.labctl.lookalike"}}', "alpine:latest").strip()
    mark = " (look-alike)" if label == "true" else ""
    assert f"limited-c1  docker.io/library/alpine:latest{mark}  running" in tree.stdout, tree.stdout
    assert "infra " in tree.stdout
    assert "limits: memory 200 MiB, CPU 1" in tree.stdout
    data = run_labctl("status", "ex4", "--json").json()
    assert data["state"] == "up" and set(data["containers"]) >= {"limited-c1", "limited-c2"}
    assert data["ports"] == [8082]


def test_list_says_when_a_port_is_taken(clean_scenario):
    clean_scenario("ex4")
    run_labctl("clean", "ex4")
    ready = {s["id"]: s for s in run_labctl("list", "--json").json()}
    assert ready["ex4"]["ready"] is True, ready["ex4"]
    podman(
        "run",
        "-d",
        "--name",
        "list-port-taker",
        "--label",
        "io.labctl.scenario=ex4",
        "-p",
        "8082:80",
        "docker.io/library/nginx:alpine",
    )
    ready = {s["id"]: s for s in run_labctl("list", "--json").json()}
    assert ready["ex4"]["ready"] is False and ready["ex4"]["missing"] == ["port 8082 in use"]
