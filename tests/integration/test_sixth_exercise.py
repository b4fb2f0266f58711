"""A sixth exercise, added by docs/adding-an-exercise.md: a scenario file and a small role, no Python.

It lives in tests/fixtures/scenarios (on LABCTL_SCENARIO_PATH, its role in roles/ beside it) and gets
every verb through the shared playbook: up, a quick second up, verify (that can fail), clean.
"""

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_SCENARIOS, podman, run_labctl

pytestmark = [pytest.mark.podman]


def test_the_sixth_exercise_takes_at_most_five_files_and_200_lines():
    """Five files of its own, plus one file of its checks' words per language (checks/en.yml, de.yml):
    a language is one file by design, so it is counted apart; every line counts."""
    role = FIXTURE_SCENARIOS / "roles" / "ex6_sidecar"
    words = sorted((role / "checks").glob("*.yml"))
    files = [FIXTURE_SCENARIOS / "ex6.yml", *sorted(p for p in role.rglob("*.yml") if p not in words)]
    lines = sum(len(Path(f).read_text().splitlines()) for f in [*files, *words])
    assert len(files) <= 5 and lines <= 200, (len(files), lines)
    assert [w.stem for w in words] == ["de", "en"]
    assert not list(role.rglob("*.py"))


def test_sixth_exercise_up_verify_break_and_clean(clean_scenario):
    clean_scenario("ex6")
    up = run_labctl("up", "ex6")
    assert up.rc == 0, up.stdout + up.stderr
    verify = run_labctl("verify", "ex6", "--json")
    assert verify.rc == 0, verify.stdout + verify.stderr
    assert {c["status"] for c in verify.json()["checks"]} == {"PASS"}
    again = run_labctl("up", "ex6")
    assert again.rc == 0 and "0 changed" in again.stdout, again.stdout + again.stderr

    podman("stop", "--time", "0", "sidecar-writer")
    broken = run_labctl("verify", "ex6", "--json")
    assert broken.rc == 1
    failed = {c["name"] for c in broken.json()["checks"] if c["status"] == "FAIL"}
    assert failed == {"container sidecar-writer running", "http://localhost:8086/ changes every few seconds"}

    clean = run_labctl("clean", "ex6")
    assert clean.rc == 0, clean.stderr
    assert podman("ps", "-aq", "--filter", "label=io.labctl.scenario=ex6").strip() == ""
    assert "sidecar_html" not in podman("volume", "ls", "--format", "{{.Name}}").split()
