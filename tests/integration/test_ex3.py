"""Exercise 3 end to end on real Podman: the 3-tier pod with healthchecks, up to clean."""

import json
import re
import subprocess
import urllib.request

import pytest

from tests.conftest import ROOT, podman, podman_json, run_labctl

pytestmark = pytest.mark.podman

POD = "text-app-pod"
CONTAINERS = ("text-api", "text-frontend", "text-logger")
IMAGES = ("localhost/my-text-api:latest", "localhost/my-text-frontend:latest")
API_CONTEXT = ROOT / "roles" / "ex3_three_tier" / "files" / "api"
LOGGER_CMD = ["/bin/sh", "-c", "while true; do echo Logger: $(date); sleep 10; done"]


def ids() -> dict[str, str]:
    """The IDs of the pod and its three containers, by name."""
    found = {c["Names"][0]: c["Id"] for c in podman_json("ps", "-a", "--format", "json") if c["Names"][0] in CONTAINERS}
    found.update({p["Name"]: p["Id"] for p in podman_json("pod", "ps", "--format", "json") if p["Name"] == POD})
    return found


def image_ids() -> dict[str, str]:
    return {tag: podman("image", "inspect", "--format", "{{.Id}}", tag).strip() for tag in IMAGES}


def image_exists(ref: str) -> bool:
    return subprocess.run(["podman", "image", "exists", ref]).returncode == 0


def ex3_left() -> dict[str, list[str]]:
    """Everything of ex3 Podman still knows, by the course's names and by label."""
    label = "label=io.labctl.scenario=ex3"
    return {
        "pod": podman("pod", "ps", "-q", "--filter", f"name=^{POD}$").split(),
        "containers": [n for n in CONTAINERS if podman_json("ps", "-a", "--format", "json", "--filter", f"name=^{n}$")],
        "by label": (podman("ps", "-aq", "--filter", label) + podman("pod", "ps", "-q", "--filter", label)).split(),
    }


def api_text() -> str:
    with urllib.request.urlopen("http://localhost:8089/api/text", timeout=10) as answer:
        return json.loads(answer.read())["text"]


def test_ex3_full_cycle(clean_scenario):
    clean_scenario("ex3")
    assert run_labctl("clean", "ex3").rc == 0

    up = run_labctl("up", "ex3", "--json")
    assert up.rc == 0, up.stdout + up.stderr
    assert up.json()["changed"] > 0
    first, first_images = ids(), image_ids()
    assert set(first) == {POD, *CONTAINERS}
    pod = podman_json("pod", "inspect", POD)  # one object, not a list, in Podman 4.3
    assert pod["Labels"]["io.labctl.scenario"] == "ex3" and pod["Labels"]["io.labctl.managed"] == "true"
    assert pod["InfraConfig"]["PortBindings"]["80/tcp"][0]["HostPort"] == "8089"
    for name in CONTAINERS:
        ctr = podman_json("container", "inspect", name)[0]
        assert ctr["Config"]["Labels"]["io.labctl.scenario"] == "ex3"
        assert ctr["Pod"] == pod["Id"]
    for name in ("text-api", "text-frontend"):
        assert podman_json("container", "inspect", name)[0]["State"]["Health"]["Status"] == "healthy"
    for tag in IMAGES:
        image = podman_json("image", "inspect", tag)[0]
        assert image["Healthcheck"]["Test"], f"{tag} must be built in Docker format"
        # Built for ex3, but not marked as labctl's: a container inherits its image's labels.
        assert image["Labels"]["io.labctl.built-for"] == "ex3"
        assert "io.labctl.managed" not in image["Labels"] and "io.labctl.scenario" not in image["Labels"]
    # $(date) is left to the container's shell, not expanded by anything on the way.
    logger = podman_json("container", "inspect", "text-logger")[0]
    assert logger["Config"]["Cmd"] == LOGGER_CMD
    assert re.search(r"^Logger: \w{3} \w{3} +\d+ \d\d:\d\d:\d\d", podman("logs", "text-logger"), re.M)
    assert "(from text-app-pod)" in api_text()

    again = run_labctl("up", "ex3")
    assert again.rc == 0 and "already in place" in again.stdout, again.stdout + again.stderr
    assert ids() == first

    # `--converge` changing nothing is Molecule's idempotence step, and verify of a fresh up its verify (test_molecule).
    assert image_ids() == first_images, "a second up rebuilds nothing"

    reset = run_labctl("reset", "ex3")
    assert reset.rc == 0, reset.stderr
    after_reset = ids()
    assert set(after_reset) == {POD, *CONTAINERS}
    assert not set(after_reset.values()) & set(first.values()), "reset must recreate the pod and its containers"
    assert image_ids() == first_images, "reset keeps the images"

    verify = run_labctl("verify", "ex3", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    checks = verify.json()["checks"]
    assert len(checks) == 11 and {c["status"] for c in checks} == {"PASS"}, checks

    clean = run_labctl("clean", "ex3", "--json")
    assert clean.rc == 0, clean.stderr
    # Without stop timeouts: `podman pod rm -f` alone would take 10 s per container that ignores SIGTERM.
    assert clean.json()["duration_s"] < 15, clean.json()["duration_s"]
    assert ex3_left() == {"pod": [], "containers": [], "by label": []}
    assert all(image_exists(tag) for tag in IMAGES), "clean keeps the images"

    clean_again = run_labctl("clean", "ex3")
    assert clean_again.rc == 0, clean_again.stderr
    assert "0 changed" in clean_again.stdout

    gone = run_labctl("clean", "ex3", "--images")
    assert gone.rc == 0, gone.stderr
    assert not any(image_exists(tag) for tag in IMAGES)


def test_verify_names_an_image_built_without_format_docker(clean_scenario):
    """The course's warning: without --format docker the image has no HEALTHCHECK."""
    clean_scenario("ex3")
    assert run_labctl("up", "ex3").rc == 0
    built = subprocess.run(
        ["podman", "build", "-q", "-t", "my-text-api:latest", str(API_CONTEXT)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    oci_id = built.stdout.strip().splitlines()[-1]
    try:
        assert not podman_json("image", "inspect", oci_id)[0].get("Healthcheck"), "OCI drops HEALTHCHECK"

        verify = run_labctl("verify", "ex3", "--json")
        assert verify.rc == 1, verify.stdout + verify.stderr
        checks = {c["name"]: c for c in verify.json()["checks"]}
        image = checks["image my-text-api:latest has a HEALTHCHECK"]
        assert image["status"] == "FAIL"
        assert "--format docker" in image["hint"]
        assert "podman build --format docker -t my-text-api:latest ./api" in image["hint"]
        others = {name: c["status"] for name, c in checks.items() if name != image["name"]}
        assert set(others.values()) == {"PASS"}, others  # the running text-api still has its healthcheck

        reset = run_labctl("reset", "ex3")
        assert reset.rc == 0, reset.stderr
        assert podman_json("image", "inspect", IMAGES[0])[0]["Healthcheck"]["Test"], "reset rebuilds the image"
        assert run_labctl("verify", "ex3").rc == 0
    finally:
        # The hand-built image, untagged by the rebuild (or still tagged when the test failed early).
        podman("rmi", "-f", oci_id, check=False)
