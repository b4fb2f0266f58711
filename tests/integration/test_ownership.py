"""clean, reset and prepare remove the exercise's names and nothing else, and say what labctl did not make."""

import pytest

from tests.conftest import podman, run_labctl

pytestmark = [pytest.mark.podman]


@pytest.fixture
def bystander():
    """A container that is not part of any exercise; removed afterwards whatever happens."""
    yield "labctl-bystander"
    podman("rm", "--force", "--time", "0", "labctl-bystander", check=False)


def test_a_bystander_on_the_exercise_network_survives_clean_and_keeps_the_network(clean_scenario, bystander):
    clean_scenario("ex1")
    assert run_labctl("up", "ex1").rc == 0
    podman(
        "run",
        "-d",
        "--name",
        bystander,
        "--network",
        "my-web-net",
        "--init",
        "docker.io/library/alpine:latest",
        "sleep",
        "600",
    )
    clean = run_labctl("clean", "ex1")
    assert clean.rc == 0, clean.stderr
    assert "kept network my-web-net: labctl-bystander uses it and is not part of the exercise" in clean.stdout
    assert podman("container", "inspect", "--format", "{{.State.Running}}", bystander).strip() == "true"
    assert "my-web-net" in podman("network", "ls", "--format", "{{.Name}}").split()
    assert not {"webserver", "client"} & set(podman("ps", "-a", "--format", "{{.Names}}").split())
    podman("rm", "--force", "--time", "0", bystander)
    assert run_labctl("clean", "ex1").rc == 0
    assert "my-web-net" not in podman("network", "ls", "--format", "{{.Name}}").split()


def test_dry_run_marks_what_labctl_did_not_make_and_changes_nothing(clean_scenario):
    clean_scenario("ex2")
    run_labctl("clean", "ex2")
    podman("volume", "create", "mysql_data")  # a student's, made by hand: no labels
    try:
        dry = run_labctl("prepare", "ex2", "--dry-run")
        assert dry.rc == 0, dry.stderr
        assert "would remove volume mysql_data (not made by labctl)" in dry.stdout
        assert "mysql_data" in podman("volume", "ls", "--format", "{{.Name}}").split()
        clean = run_labctl("clean", "ex2")
        assert clean.rc == 0, clean.stderr
        assert "removed though labctl did not make them: volume mysql_data" in clean.stdout
        assert "mysql_data" not in podman("volume", "ls", "--format", "{{.Name}}").split()
    finally:
        podman("volume", "rm", "--force", "mysql_data", check=False)


def test_clean_of_nothing_changes_nothing(clean_scenario):
    clean_scenario("ex5")
    run_labctl("clean", "ex5")
    again = run_labctl("clean", "ex5", "--json")
    assert again.rc == 0 and again.json()["changed"] == 0, again.stdout


def test_up_stops_before_replacing_what_labctl_did_not_make_unless_forced(clean_scenario):
    clean_scenario("ex1")
    run_labctl("clean", "ex1")
    podman("run", "-d", "--name", "webserver", "--init", "docker.io/library/alpine:latest", "sleep", "600")
    mine = podman("container", "inspect", "--format", "{{.Id}}", "webserver").strip()
    up = run_labctl("up", "ex1")
    assert up.rc == 3, up.stdout + up.stderr
    assert "Container webserver already exists but labctl did not make it" in up.stderr
    assert "--force" in up.stderr
    german = run_labctl("up", "ex1", "--lang", "de")  # a German class reads the same refusal in German
    assert german.rc == 3, german.stdout + german.stderr
    assert "Container webserver gibt es schon, aber nicht von labctl angelegt, und up würde es ersetzen" in (
        german.stderr
    )
    assert podman("container", "inspect", "--format", "{{.Id}}", "webserver").strip() == mine
    assert "client" not in podman("ps", "-a", "--format", "{{.Names}}").split(), "up changed something"
    forced = run_labctl("up", "ex1", "--force")
    assert forced.rc == 0, forced.stdout + forced.stderr
    assert podman("container", "inspect", "--format", "{{.Id}}", "webserver").strip() != mine
