"""The action labctl.lab.checks in a real ansible-playbook run (no Podman): one task reports every
check, in the language of lab_lang, appends them to labctl_checks, and refuses a mistyped check."""

import json

import pytest
import yaml

from tests.unit import collection

STATE = {
    "pods": {"db-app-pod": {"Name": "db-app-pod", "State": "Running", "Id": "p1"}},
    "containers": {"webapp": None},
}
TEXTS = {
    "en": {
        "pod-running": {"name": "pod {pod} running", "expected": "running", "hint": "create {pod}"},
        "app-in-pod": {
            "name": "container {container} running in pod {pod}",
            "expected": "x",
            "hint": "run {container}",
        },
    },
    "de": {"pod-running": {"name": "Pod {pod} läuft", "expected": "läuft", "hint": "erstellen Sie {pod}"}},
}


def play(tmp_path, checks, extra_vars=None):
    for lang, words in TEXTS.items():
        (tmp_path / "checks").mkdir(exist_ok=True)
        (tmp_path / "checks" / f"{lang}.yml").write_text(yaml.safe_dump(words, allow_unicode=True))
    out = tmp_path / "checks.json"
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "vars": {"lab_state": STATE, **(extra_vars or {})},
                    "tasks": [
                        {
                            "name": "Judge",
                            "labctl.lab.checks": {
                                "state": "{{ lab_state }}",
                                "texts": str(tmp_path / "checks"),
                                "checks": checks,
                            },
                            "register": "judged",
                        },
                        {
                            "ansible.builtin.copy": {
                                "content": "{{ {'facts': labctl_checks, 'reported': judged.labctl_checks_reported} | to_json }}",  # noqa: E501
                                "dest": str(out),
                                "mode": "0600",
                            }
                        },
                    ],
                }
            ]
        )
    )
    proc = collection.playbook(playbook)
    return proc, (json.loads(out.read_text()) if out.exists() else None)


CHECKS = [
    {"id": "pod-running", "assert": "pod_running", "args": {"pod": "db-app-pod"}},
    {"id": "app-in-pod", "assert": "container_in_pod", "args": {"container": "webapp", "pod": "db-app-pod"}},
]


@pytest.mark.slow
def test_one_task_reports_every_check_in_the_language_asked_for(tmp_path):
    proc, result = play(tmp_path, CHECKS, {"lab_lang": "de"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert result["facts"] == result["reported"]
    first, second = result["reported"]
    assert (first["id"], first["status"], first["name"], first["lang"]) == (
        "pod-running",
        "PASS",
        "Pod db-app-pod läuft",
        "de",
    )
    assert second["status"] == "FAIL" and second["lang"] == "en" and second["name"].startswith("container webapp")
    assert second["found"] == "kein Container namens webapp", "the collection's phrase is German"
    assert set(first) == {"id", "name", "status", "expected", "found", "hint", "excused", "acts", "lang"}


@pytest.mark.slow
def test_a_mistyped_check_fails_the_task_instead_of_grading(tmp_path):
    proc, result = play(tmp_path, [{"id": "pod-running", "assert": "pod_runs", "args": {"pod": "p"}}])
    assert proc.returncode != 0 and result is None
    assert "no assertion named 'pod_runs'" in proc.stdout
