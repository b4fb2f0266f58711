"""`labctl host keys -i room.ini`: the first contact with a room, with the playbook's run faked (each
machine's ssh-keyscan output as host_keys in its labctl_report). What is shown, what is recorded in
known_hosts, and the exit codes: conflicts 3, a declined question 2, a machine without keys 4 (also with a conflict)."""

import base64
import json
from pathlib import Path

import pytest

from labctl.cli import host
from labctl.core import hostkeys
from labctl.core.errors import ExitCode
from labctl.core.results import RunResult


def blob(seed: bytes) -> str:
    return base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + seed.ljust(32, b"\x00")).decode()


A, B, C = blob(b"a"), blob(b"b"), blob(b"c")
SCANS = {
    "pc1": f"# 10.0.0.1:22 SSH-2.0-OpenSSH_9.2p1\n10.0.0.1 ssh-ed25519 {A}\n10.0.0.1 ecdsa-sha2-nistp256 {C}\n",
    "pc2": f"[10.0.0.2]:2222 ssh-ed25519 {B}\n",
}


def keys_result(scans: dict[str, str | None]) -> RunResult:
    """The host_keys.yml run: each machine's report, none for a machine whose scan failed (None)."""
    return RunResult(
        status="successful",
        rc=0,
        duration=1.0,
        artifacts=Path("/tmp"),
        reports={h: {"scan": s} for h, s in scans.items() if s is not None},
        hosts=list(scans),
    )


@pytest.fixture
def room(monkeypatch, tmp_path):
    """labctl host keys in this process; returns invoke(args, scans, input) -> (outcome, runs)."""
    from typer.testing import CliRunner

    from labctl.cli.app import app
    from labctl.core import report
    from labctl.core.errors import LabctlError

    monkeypatch.setenv("LABCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(report.out, "width", 200)
    inventory = tmp_path / "room.ini"
    inventory.write_text("pc1 ansible_host=10.0.0.1\npc2 ansible_host=10.0.0.2 ansible_port=2222\n")

    def invoke(args, scans, input=None):
        runs = []

        def fake(playbook, extravars, **kw):
            runs.append((playbook, extravars, kw))
            return keys_result(scans)

        monkeypatch.setattr(host, "run_playbook", fake)
        outcome = CliRunner().invoke(app, ["host", "keys", "-i", str(inventory), *args], input=input)
        if isinstance(outcome.exception, LabctlError):  # what labctl's main() turns into one sentence
            outcome.exit_code = int(outcome.exception.exit_code)
        return outcome, runs

    return invoke


def fingerprint_rows(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.splitlines() if line.strip()]


def test_keys_shows_each_machines_fingerprints_and_records_them_with_yes(room, tmp_path):
    known = tmp_path / "ssh" / "known_hosts"
    outcome, runs = room(["--yes", "--known-hosts", str(known)], SCANS)
    assert outcome.exit_code == 0, outcome.output
    (playbook, extravars, kw) = runs[0]
    assert (playbook, extravars, kw["lock_store"], kw["label"]) == ("host_keys.yml", {}, False, "host-keys")
    assert fingerprint_rows(outcome.stdout) == [
        ["pc1", "ssh-ed25519", hostkeys.fingerprint(A)],
        ["pc1", "ecdsa-sha2-nistp256", hostkeys.fingerprint(C)],
        ["pc2", "ssh-ed25519", hostkeys.fingerprint(B)],
    ]
    assert known.read_text().splitlines() == [
        f"10.0.0.1 ssh-ed25519 {A}",
        f"10.0.0.1 ecdsa-sha2-nistp256 {C}",
        f"[10.0.0.2]:2222 ssh-ed25519 {B}",
    ]
    assert f"Recorded 3 key(s) in {known}" in outcome.stderr


def test_keys_asks_before_recording_and_a_no_records_nothing(room, tmp_path):
    known = tmp_path / "known_hosts"
    outcome, _ = room(["--known-hosts", str(known)], SCANS, input="n\n")
    assert outcome.exit_code == ExitCode.USAGE, outcome.output
    assert "Record 3 key(s)" in outcome.output
    assert not known.exists()
    outcome, _ = room(["--known-hosts", str(known)], SCANS, input="y\n")
    assert outcome.exit_code == 0, outcome.output
    assert len(known.read_text().splitlines()) == 3


def test_keys_already_recorded_need_nothing(room, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {A}\n10.0.0.1 ecdsa-sha2-nistp256 {C}\n[10.0.0.2]:2222 ssh-ed25519 {B}\n")
    before = known.read_text()
    outcome, _ = room(["--known-hosts", str(known)], SCANS)  # no --yes, no input: nothing is asked
    assert outcome.exit_code == 0, outcome.output
    assert f"Every key shown is already in {known}" in outcome.stderr
    assert known.read_text() == before


def test_only_the_new_keys_are_recorded(room, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {A}\n")
    outcome, _ = room(["--yes", "--known-hosts", str(known)], SCANS)
    assert outcome.exit_code == 0, outcome.output
    assert known.read_text().splitlines() == [
        f"10.0.0.1 ssh-ed25519 {A}",
        f"10.0.0.1 ecdsa-sha2-nistp256 {C}",
        f"[10.0.0.2]:2222 ssh-ed25519 {B}",
    ]
    assert "Recorded 2 key(s)" in outcome.stderr


def test_a_changed_key_is_exit_3_and_nothing_is_recorded(room, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"[10.0.0.2]:2222 ssh-ed25519 {A}\n")  # pc2 had another key
    outcome, _ = room(["--yes", "--known-hosts", str(known)], SCANS)
    assert outcome.exit_code == ExitCode.HOST_NOT_READY, outcome.output
    message = outcome.exception.message
    assert message.startswith(f"The host key of [10.0.0.2]:2222 differs from the one {known} holds")
    assert "ssh-keygen -R HOST" in message
    assert known.read_text() == f"[10.0.0.2]:2222 ssh-ed25519 {A}\n"  # neither replaced nor pc1's added
    assert hostkeys.fingerprint(B) in outcome.stdout  # the new key is shown for IT to compare


def test_a_changed_key_and_a_machine_without_keys_is_exit_4_the_first_that_applies(room, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {B}\n")  # pc1 had another key; pc2 gives none
    outcome, _ = room(["--yes", "--known-hosts", str(known)], {"pc1": SCANS["pc1"], "pc2": None})
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output
    assert outcome.exception.message.startswith("The host key of 10.0.0.1 differs")
    assert known.read_text() == f"10.0.0.1 ssh-ed25519 {B}\n"


def test_a_machine_without_keys_is_shown_and_exit_4_after_the_others_are_recorded(room, tmp_path):
    known = tmp_path / "known_hosts"
    outcome, _ = room(["--yes", "--known-hosts", str(known)], {"pc1": SCANS["pc1"], "pc2": None})
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output
    assert ["pc2", "-", "no", "key:", "not", "reachable", "on", "its", "SSH", "port"] in fingerprint_rows(
        outcome.stdout
    )
    assert len(known.read_text().splitlines()) == 2


def test_a_machine_without_keys_is_exit_4_even_when_the_others_are_known(room, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {A}\n10.0.0.1 ecdsa-sha2-nistp256 {C}\n")
    outcome, _ = room(["--known-hosts", str(known)], {"pc1": SCANS["pc1"], "pc2": ""})
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output


def test_no_machine_answering_is_exit_4_not_every_key_already_known(room, tmp_path):
    known = tmp_path / "known_hosts"
    outcome, _ = room(["--known-hosts", str(known)], {"pc1": None, "pc2": None})
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output
    assert "already" not in outcome.stderr
    assert not known.exists()


def test_keys_json_is_one_row_per_key_and_stays_json(room, tmp_path):
    known = tmp_path / "known_hosts"
    outcome, _ = room(["--json", "--known-hosts", str(known)], {"pc1": SCANS["pc1"], "pc2": None}, input="y\n")
    assert outcome.exit_code == ExitCode.UNREACHABLE, outcome.output
    answered = outcome.stdout.removesuffix("y\n")  # CliRunner echoes the typed answer on stdout, as a terminal would
    assert json.loads(answered) == [
        {"host": "pc1", "type": "ssh-ed25519", "fingerprint": hostkeys.fingerprint(A)},
        {"host": "pc1", "type": "ecdsa-sha2-nistp256", "fingerprint": hostkeys.fingerprint(C)},
        {"host": "pc2", "type": "-", "fingerprint": "no key: not reachable on its SSH port"},
    ]
    assert "Record 2 key(s)" in outcome.stderr  # the question goes where the notes go, not into the JSON
    assert "Record" not in outcome.stdout
    assert len(known.read_text().splitlines()) == 2


def test_keys_go_to_the_users_own_known_hosts_by_default(room, tmp_path, monkeypatch):
    monkeypatch.setattr(host, "own_home", lambda: str(tmp_path / "home"))
    outcome, _ = room(["--yes"], {"pc2": SCANS["pc2"]})
    assert outcome.exit_code == 0, outcome.output
    known = tmp_path / "home" / ".ssh" / "known_hosts"
    assert known.read_text() == f"[10.0.0.2]:2222 ssh-ed25519 {B}\n"
    assert (known.parent.stat().st_mode & 0o777) == 0o700


def test_two_hosts_on_one_address_record_its_keys_once(room, tmp_path):
    known = tmp_path / "known_hosts"
    outcome, _ = room(["--yes", "--known-hosts", str(known)], {"s07": SCANS["pc1"], "s08": SCANS["pc1"]})
    assert outcome.exit_code == 0, outcome.output
    assert len(fingerprint_rows(outcome.stdout)) == 4  # each host's keys shown
    assert len(known.read_text().splitlines()) == 2 and "Recorded 2 key(s)" in outcome.stderr
