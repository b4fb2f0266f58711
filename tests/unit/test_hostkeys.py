"""labctl.core.hostkeys as pure logic: ssh-keyscan's output, OpenSSH's fingerprints, known_hosts' names,
what to add and what conflicts, and the atomic append. ssh-keygen (this machine's own) is the referee;
no machine is contacted."""

import base64
import os
import stat
import subprocess

import pytest

from labctl.core import hostkeys
from labctl.core.hostkeys import HostKey


def keypair(folder, kind="ed25519", name="id"):
    """A fresh key made by ssh-keygen: (its type as known_hosts names it, its base64 blob, the .pub path)."""
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "test", "-f", str(path)], check=True)
    kind_name, blob, _comment = (path.with_suffix(".pub")).read_text().split()
    return kind_name, blob, path.with_suffix(".pub")


def blob(seed: bytes) -> str:
    return base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + seed.ljust(32, b"\x00")).decode()


A, B, C = blob(b"a"), blob(b"b"), blob(b"c")


# --- parse_keyscan ---------------------------------------------------------------------------------------


def test_parse_keyscan_keeps_the_keys_in_their_order_and_leaves_the_rest_out():
    text = "\n".join(
        [
            "# 10.0.0.7:22 SSH-2.0-OpenSSH_9.2p1 Debian-2",
            f"10.0.0.7 ssh-rsa {B}",
            "",
            f"10.0.0.7 ssh-dss {C}",  # not a type labctl records
            f"10.0.0.7 sk-ssh-ed25519@openssh.com {C}",
            "10.0.0.7 ssh-ed25519 not!base64",
            f"10.0.0.7 ssh-ed25519 {A[:-1]}",  # truncated: its padding is wrong
            "10.0.0.7 ssh-ed25519",  # too short
            f"10.0.0.7 ecdsa-sha2-nistp256 {C}",
            f"10.0.0.7 ssh-ed25519 {A}",
        ]
    )
    keys = hostkeys.parse_keyscan(text)
    assert keys == [
        HostKey("10.0.0.7", "ssh-rsa", B),
        HostKey("10.0.0.7", "ecdsa-sha2-nistp256", C),
        HostKey("10.0.0.7", "ssh-ed25519", A),
    ]


def test_parse_keyscan_of_nothing_is_no_key():
    assert hostkeys.parse_keyscan("") == []
    assert hostkeys.parse_keyscan(None) == []
    assert hostkeys.parse_keyscan("# 10.0.0.7:22 SSH-2.0-OpenSSH_9.2p1\n") == []


def test_parse_keyscan_keeps_the_port_form_of_the_name():
    keys = hostkeys.parse_keyscan(f"[10.0.0.7]:2222 ssh-ed25519 {A}\n")
    assert keys == [HostKey("[10.0.0.7]:2222", "ssh-ed25519", A)]
    assert keys[0].line == f"[10.0.0.7]:2222 ssh-ed25519 {A}"


# --- fingerprint: what ssh-keygen -lf says --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa"])
def test_fingerprint_is_what_ssh_keygen_shows(tmp_path, kind):
    _kind, key, pub = keypair(tmp_path, kind)
    shown = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True).stdout
    # "256 SHA256:xxxx test (ED25519)"
    assert hostkeys.fingerprint(key) == shown.split()[1]
    assert hostkeys.fingerprint(key).startswith("SHA256:") and not hostkeys.fingerprint(key).endswith("=")


def test_a_keyscan_line_of_a_real_key_fingerprints_as_ssh_keygen_does(tmp_path):
    kind, key, pub = keypair(tmp_path)
    (found,) = hostkeys.parse_keyscan(f"# 10.0.0.7:22 SSH-2.0-OpenSSH_9.2p1\n10.0.0.7 {kind} {key}\n")
    shown = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True).stdout
    assert (found.kind, hostkeys.fingerprint(found.key)) == ("ssh-ed25519", shown.split()[1])


# --- host_field ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "port", "field"),
    [
        ("10.0.0.7", 22, "10.0.0.7"),
        ("10.0.0.7", "22", "10.0.0.7"),
        ("pc07.room", 2222, "[pc07.room]:2222"),
        ("10.0.0.7", "2222", "[10.0.0.7]:2222"),
    ],
)
def test_host_field_is_the_known_hosts_name(address, port, field):
    assert hostkeys.host_field(address, port) == field


def test_host_field_defaults_to_port_22():
    assert hostkeys.host_field("10.0.0.7") == "10.0.0.7"


# --- merge -----------------------------------------------------------------------------------------------


def test_merge_adds_a_new_machine_and_leaves_a_known_one():
    known = f"10.0.0.7 ssh-ed25519 {A}\n"
    new = HostKey("10.0.0.8", "ssh-ed25519", B)
    same = HostKey("10.0.0.7", "ssh-ed25519", A)
    assert hostkeys.merge(known, [same, new]) == ([new], [])
    assert hostkeys.merge(known, [same]) == ([], [])


def test_merge_adds_a_known_machines_key_of_another_type():
    other = HostKey("10.0.0.7", "ecdsa-sha2-nistp256", C)
    assert hostkeys.merge(f"10.0.0.7 ssh-ed25519 {A}\n", [other]) == ([other], [])


def test_a_different_key_of_the_same_type_is_a_conflict_never_an_addition():
    changed = HostKey("10.0.0.7", "ssh-ed25519", B)
    fresh = HostKey("10.0.0.9", "ssh-ed25519", C)
    add, conflicts = hostkeys.merge(f"10.0.0.7 ssh-ed25519 {A}\n", [changed, fresh])
    assert add == [fresh] and conflicts == [changed]


def test_merge_reads_comma_separated_names_and_the_port_form():
    known = f"pc07,10.0.0.7 ssh-ed25519 {A}\n[10.0.0.8]:2222 ssh-ed25519 {B}\n"
    assert hostkeys.merge(known, [HostKey("10.0.0.7", "ssh-ed25519", A), HostKey("pc07", "ssh-ed25519", A)]) == (
        [],
        [],
    )
    assert hostkeys.merge(known, [HostKey("pc07", "ssh-ed25519", C)]) == ([], [HostKey("pc07", "ssh-ed25519", C)])
    # port 2222's key says nothing of port 22's, nor the other way round
    on_22 = HostKey("10.0.0.8", "ssh-ed25519", C)
    assert hostkeys.merge(known, [on_22, HostKey("[10.0.0.8]:2222", "ssh-ed25519", B)]) == ([on_22], [])


def test_merge_ignores_hashed_names_comments_and_short_lines():
    known = "\n".join(
        [
            "# a comment naming 10.0.0.7 ssh-ed25519 " + B,
            f"|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-ed25519 {B}",
            "10.0.0.7 ssh-ed25519",
            "",
        ]
    )
    key = HostKey("10.0.0.7", "ssh-ed25519", A)
    assert hostkeys.merge(known, [key]) == ([key], [])


def test_merge_accepts_any_of_several_recorded_keys():
    known = f"10.0.0.7 ssh-ed25519 {A}\n10.0.0.7 ssh-ed25519 {B}\n"
    assert hostkeys.merge(known, [HostKey("10.0.0.7", "ssh-ed25519", B)]) == ([], [])


def test_merge_of_an_empty_known_hosts_adds_everything_in_order():
    keys = [HostKey("10.0.0.8", "ssh-rsa", B), HostKey("10.0.0.7", "ssh-ed25519", A)]
    assert hostkeys.merge("", keys) == (keys, [])
    assert hostkeys.merge(None, keys) == (keys, [])


def test_two_hosts_on_one_address_add_its_keys_once():
    # README: two students on one machine are two inventory hosts with the same address; ssh-keyscan
    # then answers twice with the same keys, and known_hosts needs each once.
    key = HostKey("10.0.0.7", "ssh-ed25519", A)
    assert hostkeys.merge("", [key, key]) == ([key], [])


def test_two_different_keys_for_one_name_in_one_scan_are_a_conflict():
    first, second = HostKey("10.0.0.7", "ssh-ed25519", A), HostKey("10.0.0.7", "ssh-ed25519", B)
    assert hostkeys.merge("", [first, second]) == ([first], [second])


def test_a_hashed_known_hosts_is_compared_too_a_changed_key_is_a_conflict(tmp_path):
    """Debian hashes known_hosts names (HashKnownHosts): ssh-keygen -H hashes the file here, the referee."""
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {A}\n[10.0.0.2]:2222 ssh-ed25519 {B}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(known)], check=True, capture_output=True)
    text = known.read_text()
    assert "10.0.0" not in text and text.count("|1|") == 2  # really hashed
    same = [HostKey("10.0.0.1", "ssh-ed25519", A), HostKey("[10.0.0.2]:2222", "ssh-ed25519", B)]
    assert hostkeys.merge(text, same) == ([], [])
    changed = HostKey("[10.0.0.2]:2222", "ssh-ed25519", C)
    other_type = HostKey("10.0.0.1", "ecdsa-sha2-nistp256", C)
    assert hostkeys.merge(text, [changed, other_type]) == ([other_type], [changed])


@pytest.mark.parametrize("name", ["|1|", "|1|!!|??", "|2|YWJj|YWJj", "|1|YWJj"])
def test_a_broken_hashed_name_is_no_recorded_name(name):
    key = HostKey("10.0.0.1", "ssh-ed25519", A)
    assert hostkeys.merge(f"{name} ssh-ed25519 {B}\n", [key]) == ([key], [])


# --- record ----------------------------------------------------------------------------------------------


def test_record_creates_the_folder_0700_and_the_file(tmp_path):
    known = tmp_path / "home" / ".ssh" / "known_hosts"
    key = HostKey("10.0.0.7", "ssh-ed25519", A)
    hostkeys.record(known, [key])
    assert known.read_text() == key.line + "\n"
    assert stat.S_IMODE(known.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(known.stat().st_mode) == 0o644
    assert [p.name for p in known.parent.iterdir()] == ["known_hosts"]  # no temporary file left


def test_record_appends_after_what_is_there_and_keeps_its_mode(tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {C}")  # no newline at its end
    known.chmod(0o600)
    keys = [HostKey("10.0.0.7", "ssh-ed25519", A), HostKey("[10.0.0.8]:2222", "ssh-rsa", B)]
    hostkeys.record(known, keys)
    assert known.read_text().splitlines() == [f"10.0.0.1 ssh-ed25519 {C}", keys[0].line, keys[1].line]
    assert stat.S_IMODE(known.stat().st_mode) == 0o600
    hostkeys.record(known, [HostKey("10.0.0.9", "ssh-ed25519", C)])
    assert known.read_text().endswith(f"\n10.0.0.9 ssh-ed25519 {C}\n")
    assert len(known.read_text().splitlines()) == 4


def test_record_replaces_the_file_atomically(tmp_path, monkeypatch):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {C}\n")
    before = known.stat().st_ino
    replaced = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (replaced.append((src, dst)), real(src, dst)))
    hostkeys.record(known, [HostKey("10.0.0.7", "ssh-ed25519", A)])
    (src, dst), *rest = replaced
    assert not rest and os.path.dirname(src) == str(tmp_path) and dst == known
    assert known.stat().st_ino != before  # a new file renamed over the old one, not written in place


def test_a_known_hosts_that_is_a_link_stays_a_link_and_its_file_gets_the_keys(tmp_path):
    shared = tmp_path / "shared" / "known_hosts"
    shared.parent.mkdir()
    shared.write_text(f"10.0.0.1 ssh-ed25519 {C}\n")
    known = tmp_path / "known_hosts"
    known.symlink_to(shared)
    hostkeys.record(known, [HostKey("10.0.0.7", "ssh-ed25519", A)])
    assert known.is_symlink() and os.readlink(known) == str(shared)
    assert shared.read_text().splitlines() == [f"10.0.0.1 ssh-ed25519 {C}", f"10.0.0.7 ssh-ed25519 {A}"]


def test_a_failed_record_leaves_the_file_as_it_was_and_no_temporary_file(tmp_path, monkeypatch):
    known = tmp_path / "known_hosts"
    known.write_text(f"10.0.0.1 ssh-ed25519 {C}\n")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        hostkeys.record(known, [HostKey("10.0.0.7", "ssh-ed25519", A)])
    assert known.read_text() == f"10.0.0.1 ssh-ed25519 {C}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["known_hosts"]


def test_what_record_writes_is_found_by_ssh_keygen(tmp_path):
    kind, key, _pub = keypair(tmp_path)
    known = tmp_path / "ssh" / "known_hosts"
    hostkeys.record(known, [HostKey(hostkeys.host_field("10.0.0.7", 2222), kind, key)])
    found = subprocess.run(
        ["ssh-keygen", "-F", "[10.0.0.7]:2222", "-f", str(known)], capture_output=True, text=True, check=False
    )
    assert found.returncode == 0 and key in found.stdout
    plain = subprocess.run(["ssh-keygen", "-F", "10.0.0.7", "-f", str(known)], capture_output=True, check=False)
    assert plain.returncode != 0  # port 2222's key is not port 22's
