"""The lab user (issue 19) as pure logic: whose store, the rootless environment under become, the
`auto` port offset, the 10.88 trap, and the shared option --lab-user that names the account."""

import json
import os
import stat

import pytest
from ansible_collections.labctl.lab.plugins.module_utils import lab_store, networks, reasons


class _St:
    def __init__(self, mode, uid):
        self.st_mode, self.st_uid = mode, uid


# --- lab_port_offset: auto ---------------------------------------------------------------------------------


def test_auto_offset_is_a_step_per_account_and_stable():
    assert lab_store.auto_offset(0) == 0
    assert lab_store.auto_offset(999) == 0  # system accounts keep the scenario's ports
    assert lab_store.auto_offset(1000) == 100
    assert lab_store.auto_offset(1001) == 200
    assert lab_store.auto_offset(1001) == lab_store.auto_offset("1001")  # the controller and the machine agree
    assert lab_store.auto_offset(1049) == 5000
    assert lab_store.auto_offset(1050) == 100  # slots repeat after AUTO_SLOTS accounts


def test_neighbouring_accounts_never_share_an_offset():
    offsets = [lab_store.auto_offset(uid) for uid in range(1000, 1000 + lab_store.AUTO_SLOTS)]
    assert len(set(offsets)) == lab_store.AUTO_SLOTS
    assert max(offsets) + 8080 <= 65535  # the course's ports, moved, stay ports


@pytest.mark.parametrize(
    ("value", "expected"), [("auto", 200), (" AUTO ", 200), (300, 300), ("300", "300"), (None, None)]
)
def test_resolve_offset_only_touches_auto(value, expected):
    assert lab_store.resolve_offset(value, 1001) == expected


# --- the rootless environment under become -----------------------------------------------------------------


def test_runtime_dir_only_when_it_is_the_users_folder():
    folder = _St(stat.S_IFDIR | 0o700, 1001)
    assert lab_store.runtime_dir(1001, lstat=lambda p: folder) == "/run/user/1001"
    assert lab_store.runtime_dir(1002, lstat=lambda p: folder) == ""  # another account's folder
    link = _St(stat.S_IFLNK | 0o777, 1001)
    assert lab_store.runtime_dir(1001, lstat=lambda p: link) == ""

    def missing(path):
        raise FileNotFoundError(path)

    assert lab_store.runtime_dir(1001, lstat=missing) == ""  # Podman's own fallback then


def test_environment_names_the_runtime_dir_and_the_user_bus():
    assert lab_store.environment(1001, "/run/user/1001") == {
        "XDG_RUNTIME_DIR": "/run/user/1001",
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1001/bus",
    }
    assert lab_store.environment(1001, "") == {}  # no systemd session: Podman's fallback
    assert lab_store.environment(0, "/run/user/0") == {}  # root's store needs nothing


def test_a_lab_user_who_does_not_linger_on_a_systemd_machine_is_one_sentence():
    words = reasons.english(lab_store.problem("student07", 1001, systemd=True, lingers=False, runtime=""))
    assert "student07 does not linger" in words and "labctl host setup --lab-user student07" in words
    assert "\n" not in words
    german = reasons.say(lab_store.problem("student07", 1001, systemd=True, lingers=False, runtime=""), "de")
    assert german.startswith("student07 hat auf dieser Maschine kein Linger, daher würden")  # a name keeps its case
    waiting = reasons.english(lab_store.problem("student07", 1001, systemd=True, lingers=True, runtime=""))
    assert "user@1001.service" in waiting
    assert lab_store.problem("student07", 1001, systemd=True, lingers=True, runtime="/run/user/1001") is None
    assert lab_store.problem("student07", 1001, systemd=False, lingers=False, runtime="") is None
    assert lab_store.problem("root", 0, systemd=True, lingers=False, runtime="") is None


def test_look_describes_this_account_by_default(tmp_path):
    found = lab_store.look(lingers_dir=str(tmp_path), systemd_dir=str(tmp_path / "no"))
    assert found["uid"] == os.geteuid()
    assert found["systemd"] is False and found["problem"] is None
    assert found["whose"] == f"{found['user']}'s store"


def test_look_at_an_account_that_does_not_exist_raises_keyerror():
    with pytest.raises(KeyError):
        lab_store.look("no-such-student-here")


# --- the 10.88 trap -----------------------------------------------------------------------------------------

IP_ADDR = json.dumps(
    [
        {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}]},
        {"ifname": "eth0", "addr_info": [{"family": "inet", "local": "10.88.4.17", "prefixlen": 16}]},
        {"ifname": "podman0", "addr_info": [{"family": "inet", "local": "10.88.0.1", "prefixlen": 16}]},
    ]
)
IP_ROUTE = json.dumps(
    [
        {"dst": "default", "gateway": "10.0.2.2", "dev": "eth0"},
        {"dst": "10.88.0.0/16", "dev": "podman0"},
        {"dst": "10.0.2.0/24", "dev": "eth0"},
    ]
)


def test_podmans_own_devices_and_loopback_are_no_clash():
    assert networks.addresses(IP_ADDR) == [("eth0", "10.88.4.17/16")]
    assert networks.routes(IP_ROUTE) == [("eth0", "10.0.2.0/24")]


def test_an_address_inside_the_default_subnet_is_found():
    found = networks.clash("10.88.0.0/16", networks.addresses(IP_ADDR), [])
    assert reasons.words(found) == "address 10.88.4.17 (eth0)"
    sentence = reasons.english(networks.sentence("10.88.0.0/16", found))
    assert sentence.startswith("This machine's address 10.88.4.17 (eth0) lies inside 10.88.0.0/16,")
    assert "labctl host setup --default-subnet" in sentence and "\n" not in sentence
    german = reasons.say(networks.sentence("10.88.0.0/16", found), "de")
    assert german.startswith("Die Adresse 10.88.4.17 (eth0) dieser Maschine liegt in 10.88.0.0/16,")


def test_a_route_into_the_default_subnet_is_found_and_a_wider_network_too():
    route = networks.clash("10.88.0.0/16", [], [("eth1", "10.88.128.0/20")])
    assert reasons.words(route) == "route to 10.88.128.0/20 (eth1)"
    assert reasons.words(networks.clash("10.88.0.0/16", [("eth0", "10.0.0.5/8")], [])) == "address 10.0.0.5 (eth0)"
    assert networks.clash("10.88.0.0/16", [("eth0", "192.168.1.5/24")], [("eth0", "10.0.2.0/24")]) is None
    assert networks.clash("not a subnet", [("eth0", "10.88.0.5/16")], []) is None


def test_the_qemu_vms_own_network_is_no_clash():
    # The suite's cgroup v2 VM is on 10.0.2.15 (qemu's user network): no clash with Podman's default.
    assert networks.clash(networks.DEFAULT_SUBNET, [("ens3", "10.0.2.15/24")], [("ens3", "10.0.2.0/24")]) is None


def test_default_subnet_follows_the_containers_conf_files_in_order():
    assert networks.default_subnet([]) == "10.88.0.0/16"
    admin = '[network]\ndefault_subnet = "10.50.0.0/16"  # ours\n'
    labctl = '# Written by labctl\n[containers]\nx = 1\n[network]\ndefault_subnet="10.123.0.0/16"\n'
    assert networks.default_subnet([admin]) == "10.50.0.0/16"
    assert networks.default_subnet([admin, labctl]) == "10.123.0.0/16"
    assert networks.default_subnet(['[engine]\ndefault_subnet = "1.2.3.0/24"\n']) == "10.88.0.0/16"


@pytest.mark.parametrize("bad", ["10.123.0.0/33", "10.123.0.1/16", "fd00::/64", "10.123.0.0/28", "x"])
def test_default_subnet_from_the_user_is_checked(bad):
    with pytest.raises(ValueError, match="--default-subnet"):
        networks.valid_subnet(bad)
    assert networks.valid_subnet("10.123.0.0/16") == "10.123.0.0/16"


def test_a_lab_user_without_subids_gets_a_range_past_everyones():
    assert lab_store.free_subid_start("") == 100000
    taken = "student01:100000:65536\nstudent02:165536:65536\n"
    assert lab_store.free_subid_start(taken, "") == 231072
    assert lab_store.free_subid_start("x:100000:1000\n", "y:300000:10\n") == 100000 + 4 * 65536
    assert lab_store.free_subid_start("broken line\n#c\n") == 100000


# --- whose store, and the moved ports, in labctl's output ------------------------------------------------------


def _run(**kw):
    from pathlib import Path

    from labctl.core.results import HostStats, RunResult

    hosts = kw.pop("hosts", ["m1-s1", "m1-s2"])
    return RunResult(
        status="successful", rc=0, duration=1.0, artifacts=Path("/tmp/x"),
        stats={h: HostStats(ok=3, changed=1) for h in hosts}, hosts=hosts, **kw,
    )  # fmt: skip


def test_each_machine_says_whose_store_its_run_worked_on():
    from labctl.core import report, results

    result = _run(reports={"m1-s1": {"store": "student1's store"}, "m1-s2": {"store": "student2's store"}})
    found = results.machines(result, "up")
    assert [m.store for m in found] == ["student1's store", "student2's store"]
    assert found[0].as_json()["store"] == "student1's store"
    with report.out.capture() as captured:
        report.out.print(report.machines_table(found, checks=False))
    table = captured.get()
    assert "store" in table.splitlines()[0] and "student2's store" in table


def test_a_run_that_said_no_store_has_no_store_column():
    from labctl.core import report, results

    found = results.machines(_run(), "up")
    with report.out.capture() as captured:
        report.out.print(report.machines_table(found, checks=False))
    assert "store" not in captured.get()


def test_the_line_of_an_up_on_one_machine_names_the_store(monkeypatch):
    from types import SimpleNamespace

    from labctl.core import report

    result = _run(hosts=["m1"], reports={"m1": {"store": "student07's store"}})
    with report.out.capture() as captured:
        report.provisioned(SimpleNamespace(id="ex1"), "up", result, json_out=False, several=False)
    assert "ex1 is up on m1 (student07's store): 1 changed" in captured.get()


def test_list_gives_each_machine_its_moved_ports_and_none_for_unmoved():
    from types import SimpleNamespace

    from labctl.cli.list import moved_ports
    from labctl.core.survey import port_offset

    scenario = SimpleNamespace(host_ports=[8080, 8081])
    offsets = {"m1-s1": port_offset("200"), "m1-s2": port_offset(300), "m2": port_offset(None), "m3": port_offset("x")}
    assert moved_ports(scenario, offsets) == {"m1-s1": [8280, 8281], "m1-s2": [8380, 8381]}


# --- two students of one machine: two inventory hosts, one machine -----------------------------------------


def test_same_machine_groups_hosts_by_address_and_port_in_the_plays_order():
    from ansible_collections.labctl.lab.plugins.filter.same_machine import same_machine

    hostvars = {
        "m1-s1": {"ansible_host": "10.0.0.1", "lab_user": "student1"},
        "m2": {"ansible_host": "10.0.0.2"},
        "m1-s2": {"ansible_host": "10.0.0.1", "ansible_port": 22},
        "m1-other-sshd": {"ansible_host": "10.0.0.1", "ansible_port": 2222},
        "10.0.0.1": {},  # named by its address, no ansible_host
    }
    play = list(hostvars)
    assert same_machine(play, hostvars, "m1-s2") == ["m1-s1", "m1-s2", "10.0.0.1"]
    assert same_machine(play, hostvars, "m2") == ["m2"]
    assert same_machine(play, hostvars, "m1-other-sshd") == ["m1-other-sshd"]
    assert same_machine(["m1-s2"], hostvars, "m1-s2") == ["m1-s2"]  # failed hosts are out of the play


def test_subids_sees_a_users_ranges_by_name_or_uid_and_the_next_block_skips_what_a_first_student_got():
    from ansible_collections.labctl.lab.plugins.modules.subids import has_range

    text = "student1:100000:65536\n1002:165536:65536\n"
    assert has_range(text, "student1", 1001) and has_range(text, "student2", 1002)
    assert not has_range(text, "student3", 1003) and not has_range("", "student1", 1001)
    # run one host at a time (throttle 1): the second student reads the first one's block and gets the next
    first = lab_store.free_subid_start("", "")
    second = lab_store.free_subid_start(f"student1:{first}:65536\n", f"student1:{first}:65536\n")
    assert (first, second) == (100000, 165536)
