"""Why a run stops, in both languages: module_utils.reasons, the action labctl.lab.stop in a real
ansible-playbook run, and labctl rendering a stop in the language it shows."""

import json
import re

import pytest
import yaml
from ansible_collections.labctl.lab.plugins.action.stop import stop_said
from ansible_collections.labctl.lab.plugins.module_utils import lease, ports, reasons

from labctl.core import events, i18n
from tests.conftest import ROOT
from tests.unit import collection

CONTENT = [ROOT / "roles", ROOT / "playbooks"]
MODULES = ROOT / "collections" / "ansible_collections" / "labctl" / "lab" / "plugins"


def test_every_reason_is_said_in_english_and_german_with_the_same_placeholders():
    assert set(reasons.TEXTS["en"]) == set(reasons.TEXTS["de"])
    for key, english in reasons.TEXTS["en"].items():
        german = reasons.TEXTS["de"][key]
        assert set(reasons.PLACEHOLDER.findall(english)) == set(reasons.PLACEHOLDER.findall(german)), key
        assert german != english or key in reasons.THE_SAME_IN_EVERY_LANGUAGE, f"{key} is not translated"


def _used_reasons():
    """Every reason the roles, playbooks and modules name (reason: x, 'reason': 'x', said("x" …))."""
    found = set()
    for folder in CONTENT:
        for path in folder.rglob("*.yml"):
            text = path.read_text()
            found |= set(re.findall(r"^\s*reason: ([a-z_]+)\s*$", text, re.M))
            found |= set(re.findall(r"'reason': '([a-z_]+)'", text))
            for template in re.findall(r"^\s*reason: (.*\{\{.*)$", text, re.M):  # a reason picked by Jinja
                found |= {f"{a}_{b}" for a in re.findall(r"'([a-z_]+)'", template) for b in ("one", "many")}
    for path in MODULES.rglob("*.py"):
        found |= set(re.findall(r'said\(\s*"([a-z_]+)"', path.read_text()))
    return found


def test_every_reason_the_content_names_exists():
    used = _used_reasons()
    assert {"network_without_dns", "image_not_here", "cannot_pull", "port_stop", "file_not_ours"} <= used
    # Reasons picked by Jinja are guessed generously (a word + _one/_many): only the plain ones must exist.
    plain = {u for u in used if not u.endswith(("_one", "_many"))}
    phrases = yaml.safe_load((MODULES.parent / "texts" / "en.yml").read_text())  # the collection's, for checks
    missing = {
        u
        for u in plain
        if u not in reasons.TEXTS["en"] and u not in phrases and not any(k.startswith(u) for k in reasons.TEXTS["en"])
    }
    assert not missing, f"reasons named but not in module_utils.reasons: {sorted(missing)}"


def test_a_stop_is_said_in_the_language_asked_for_with_values_as_data():
    said = reasons.said(
        "port_stop",
        found=reasons.said("port_by_pod", port=8080, pod="{pod} {{ lookup('pipe', 'id') }}"),
        scenario="ex2",
        hint=reasons.said("remove_pod", pod="x"),
    )
    english = reasons.english(said)
    assert english == (
        "Port 8080 is published by Podman pod {pod} {{ lookup('pipe', 'id') }}, but scenario ex2 needs it: "
        "remove that pod (`podman pod rm -f x`), then try again."
    )
    german = reasons.say(said, "de")
    assert german.startswith("Port 8080 wird von Podmans Pod {pod} {{ lookup('pipe', 'id') }} veröffentlicht, aber")
    assert "entfernen Sie diesen Pod (`podman pod rm -f x`), dann versuchen Sie es erneut." in german
    assert reasons.say(said, "fr") == english  # a language labctl does not speak: English


def test_a_list_of_values_is_joined_and_an_unknown_reason_is_refused():
    said = reasons.said("missing_many_root", missing=["Podman", "runc"], install="sudo apt-get install -y podman")
    assert reasons.english(said).startswith("Podman, runc are not installed: run `labctl host setup` or")
    with pytest.raises(KeyError):
        reasons.said("no_such_reason")
    assert not reasons.is_said({"reason": "no_such_reason", "values": {}})
    assert not reasons.is_said("port_stop")


def test_the_port_verdict_carries_its_sentence_as_data():
    found = [{"port": 8080, "free": False, "pod": "", "container": "", "pid": 42, "process": "nc"}]
    verdict = ports.verdict(found, {"scenario": "ex2", "ports": [8080], "pods": ["db-app-pod"]})
    assert not verdict["ok"]
    assert verdict["problem"] == (
        "Port 8080 is in use by nc (PID 42), but scenario ex2 needs it: stop that process, then try again."
    )
    assert verdict["found"] == "port 8080 is in use by nc (PID 42)"
    assert reasons.say(verdict["said"], "de") == (
        "Port 8080 wird von nc (PID 42) belegt, aber Szenario ex2 braucht ihn: beenden Sie diesen Prozess, "
        "dann versuchen Sie es erneut."
    )


def test_the_stop_action_takes_a_reason_or_a_whole_said():
    said = reasons.said("file_not_ours", path="/etc/x")
    assert stop_said({"reason": "file_not_ours", "values": {"path": "/etc/x"}, "said": None}) == said
    assert stop_said({"reason": "", "values": {}, "said": said}) == said
    assert stop_said({"reason": "typo", "values": {}, "said": None}) is None
    assert stop_said({"reason": "", "values": {}, "said": {"reason": "typo"}}) is None


def test_labctl_says_a_stop_in_the_language_it_shows():
    res = {
        "msg": "English for the logs",
        "labctl_said": reasons.said("network_without_dns", network="n", client="c", server="s", scenario="ex1"),
    }
    try:
        i18n.set_language("de")
        assert events.failure_message(res).startswith("Das Netzwerk n existiert ohne DNS, daher kann c s nicht")
        i18n.set_language("en")
        assert events.failure_message(res).startswith("The network n exists without DNS, so c cannot resolve s")
    finally:
        i18n.set_language("en")
    assert events.failure_message({"msg": "plain"}) == "plain"


def test_the_stop_task_fails_with_english_and_the_said_in_a_real_run(tmp_path):
    out = tmp_path / "stop.json"
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "block": [
                                {
                                    "name": "Stop",
                                    "labctl.lab.stop": {
                                        "reason": "image_not_here",
                                        "values": {
                                            "image": "{{ '{{ not a template }}' }}",
                                            "ways_out": {"reason": "images_ways_out", "values": {}},
                                        },
                                        "exit_code": 3,
                                    },
                                }
                            ],
                            "rescue": [
                                {
                                    "ansible.builtin.copy": {
                                        "content": "{{ ansible_failed_result | to_json }}",
                                        "dest": str(out),
                                        "mode": "0600",
                                    }
                                }
                            ],
                        }
                    ],
                }
            ]
        )
    )
    proc = collection.playbook(playbook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["failed"] is True and result["labctl_exit_code"] == 3
    assert result["msg"].startswith("The image {{ not a template }} is not on this host and `--pull never` forbids")
    assert "`labctl images build-lookalikes`), then try again" in result["msg"]
    german = reasons.say(result["labctl_said"], "de")
    assert german.startswith("Das Image {{ not a template }} ist nicht auf diesem Host")
    assert "richten Sie diesen Host auf den Registry-Mirror des Raums aus" in german


def test_who_holds_a_store_is_said_in_both_languages():
    holder = {"command": "up ex2", "user": "root", "pid": 7, "controller": "trainer-pc", "since": 0}
    assert lease.describe(holder).startswith("up ex2 (root, PID 7 on trainer-pc, since ")
    assert lease.describe(holder, "de").startswith("up ex2 (root, PID 7 auf trainer-pc, seit ")
    assert lease.describe({}, "de") == "ein labctl-Lauf"
    busy = reasons.said("store_busy", holder=lease.describe_said(holder), path="/var/lib/labctl/run.lease")
    assert reasons.say(busy, "de").startswith(
        "Ein anderer labctl-Lauf arbeitet im Podman-Speicher dieser Maschine: up ex2"
    )


def test_a_bad_port_offset_is_one_sentence_in_both_languages_and_keeps_its_code_word():
    with pytest.raises(ports.OffsetError) as err:
        ports.port_offset("ten", "s01", [8080])
    assert str(err.value) == (
        "lab_port_offset of host s01 must be a whole number from 0 to 50000, not 'ten': fix it in the inventory."
    )
    assert reasons.say(err.value.said, "de") == (
        "lab_port_offset von Host s01 muss eine ganze Zahl von 0 bis 50000 sein, nicht 'ten': korrigieren Sie es "
        "im Inventory."
    )
    state = reasons.said("state_refused", folder="/x", problem=reasons.said("b_link", path="/x"))
    assert reasons.english(state).startswith("labctl will not keep its state in /x: /x is a symbolic link;")


def test_a_stop_keeps_its_stable_reason_for_json_and_counts_as_written_for_the_user():
    said = reasons.said("image_not_here", image="alpine", ways_out=reasons.said("images_ways_out"))
    collect = events.EventCollector(None)
    collect(
        {
            "event": "runner_on_failed",
            "event_data": {
                "host": "m1",
                "task": "Stop when an image is missing and pulls are not allowed",
                "resolved_action": "labctl.lab.stop",
                "res": {"failed": True, "msg": reasons.english(said), "labctl_said": said},
            },
        }
    )
    [failure] = collect.failures
    assert failure.explicit and failure.reason == "image_not_here"
    assert failure.message.startswith("The image alpine is not on this host")
