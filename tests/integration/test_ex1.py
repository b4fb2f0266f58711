"""Exercise 1 end to end on real Podman: up, verify, idempotence, reset, clean."""

import pytest

from tests.conftest import podman, podman_json, run_labctl

pytestmark = pytest.mark.podman

CONTAINERS = ("webserver", "client")


def container_ids() -> dict[str, str]:
    return {c["Names"][0]: c["Id"] for c in podman_json("ps", "-a", "--format", "json") if c["Names"][0] in CONTAINERS}


def ex1_left() -> dict[str, list[str]]:
    """Everything of ex1 Podman still knows, by name and by label."""
    label = "label=io.labctl.scenario=ex1"
    return {
        "containers by name": [
            n for n in CONTAINERS if podman_json("ps", "-a", "--format", "json", "--filter", f"name=^{n}$")
        ],
        "containers by label": podman("ps", "-aq", "--filter", label).split(),
        "network by name": [
            n["name"] for n in podman_json("network", "ls", "--format", "json") if n["name"] == "my-web-net"
        ],
        "networks by label": podman("network", "ls", "-q", "--filter", label).split(),
    }


def test_ex1_full_cycle(clean_scenario):
    clean_scenario("ex1")
    assert run_labctl("clean", "ex1").rc == 0

    up = run_labctl("up", "ex1", "--json")
    assert up.rc == 0, up.stderr
    assert up.json()["changed"] > 0
    first_ids = container_ids()
    assert set(first_ids) == set(CONTAINERS)
    for name in CONTAINERS:
        labels = podman_json("container", "inspect", name)[0]["Config"]["Labels"]
        assert labels["io.labctl.managed"] == "true" and labels["io.labctl.scenario"] == "ex1"
    net = podman_json("network", "inspect", "my-web-net")[0]
    assert net["labels"]["io.labctl.scenario"] == "ex1"

    again = run_labctl("up", "ex1")
    assert again.rc == 0, again.stderr
    assert "0 changed" in again.stdout and "already in place" in again.stdout
    assert container_ids() == first_ids

    # `--converge` changing nothing is Molecule's idempotence step, and verify of a fresh up its verify (test_molecule).
    reset = run_labctl("reset", "ex1")
    assert reset.rc == 0, reset.stderr
    after_reset = container_ids()
    assert set(after_reset) == set(CONTAINERS)
    assert not set(after_reset.values()) & set(first_ids.values()), "reset must recreate the containers"

    verify = run_labctl("verify", "ex1", "--json")
    assert verify.rc == 0, verify.stdout
    assert verify.json()["passed"] is True
    assert [c["status"] for c in verify.json()["checks"]] == ["PASS"] * 5

    clean = run_labctl("clean", "ex1")
    assert clean.rc == 0, clean.stderr
    assert ex1_left() == {
        "containers by name": [],
        "containers by label": [],
        "network by name": [],
        "networks by label": [],
    }
    images = {t for i in podman_json("images", "--format", "json") for t in (i.get("Names") or [])}
    assert {"docker.io/library/nginx:alpine", "docker.io/library/alpine:latest"} <= images, "clean keeps images"

    clean_again = run_labctl("clean", "ex1")
    assert clean_again.rc == 0, clean_again.stderr
    assert "0 changed" in clean_again.stdout


def test_a_second_up_repairs_a_stopped_container(clean_scenario):
    clean_scenario("ex1")
    assert run_labctl("up", "ex1").rc == 0
    ids = container_ids()
    podman("stop", "-t", "0", "client")

    up = run_labctl("up", "ex1")
    assert up.rc == 0, up.stderr
    assert "already in place" not in up.stdout
    assert container_ids() == ids
    assert podman_json("container", "inspect", "client")[0]["State"]["Running"]


def test_verify_fails_with_a_hint_when_client_is_not_on_the_network(clean_scenario):
    clean_scenario("ex1")
    assert run_labctl("up", "ex1").rc == 0
    podman("network", "disconnect", "my-web-net", "client")

    verify = run_labctl("verify", "ex1", "--json")
    assert verify.rc == 1
    checks = {c["name"]: c for c in verify.json()["checks"]}
    on_net = checks["container client running on my-web-net"]
    assert on_net["status"] == "FAIL"
    assert "podman run -d --network my-web-net --name client alpine sleep infinity" in on_net["hint"]
    assert checks["network my-web-net exists"]["status"] == "PASS"
    assert checks["container webserver running on my-web-net"]["status"] == "PASS"


def test_the_quick_second_up_does_not_lie_after_a_disconnect_and_up_repairs_it(clean_scenario):
    clean_scenario("ex1")
    assert run_labctl("up", "ex1").rc == 0
    podman("network", "disconnect", "my-web-net", "client")
    up = run_labctl("up", "ex1", "--json")
    assert up.rc == 0, up.stdout + up.stderr
    assert not up.json()["reports"].get("localhost", {}).get("in_place"), up.stdout
    assert "Attach webserver and client to my-web-net again" in str(up.json()["changed_tasks"])
    verify = run_labctl("verify", "ex1")
    assert verify.rc == 0, verify.stdout
    again = run_labctl("up", "ex1")
    assert again.rc == 0 and "already in place" in again.stdout, again.stdout
