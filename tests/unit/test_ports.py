"""Published ports, read one way from both of Podman's shapes; who holds a port; the verdict of the
port check; a host's port offset. Shapes as Podman 4.3.1 prints them."""

import pytest
from ansible_collections.labctl.lab.plugins.module_utils import ports

import tests.unit.collection  # noqa: F401 - module_utils importable
from tests.unit.collection import load

published_ports = load("plugins/filter/published_ports.py").published_ports
port_verdict = load("plugins/filter/port_verdict.py").port_verdict

# `podman ps -a --pod --format json`: the infra container of db-app-pod, and a container of its own.
LISTED_INFRA = {
    "Names": ["5e1f7b1c2c2a-infra"],
    "IsInfra": True,
    "PodName": "db-app-pod",
    "Ports": [{"host_ip": "", "container_port": 5000, "host_port": 8080, "range": 1, "protocol": "tcp"}],
}
LISTED_APP = {**LISTED_INFRA, "Names": ["webapp"], "IsInfra": False}
LISTED_RANGE = {
    "Names": ["web"],
    "PodName": "",
    "Ports": [{"host_ip": "127.0.0.1", "container_port": 53, "host_port": 5353, "range": 2, "protocol": "udp"}],
}
# `podman pod inspect db-app-pod` (one object in 4.3.1) and `podman container inspect` of a container.
POD_INSPECT = {
    "Name": "db-app-pod",
    "InfraConfig": {"PortBindings": {"5000/tcp": [{"HostIp": "", "HostPort": "8080"}]}},
}
CTR_INSPECT = {
    "Name": "web",
    "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8089"}]}},
    "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "", "HostPort": "8089"}], "443/tcp": None}},
}
ONE = {"host_ip": "", "host_port": 8080, "container_port": 5000, "protocol": "tcp", "range": 1}


@pytest.mark.parametrize("shape", [LISTED_INFRA, POD_INSPECT, POD_INSPECT["InfraConfig"]["PortBindings"]])
def test_one_pod_publishing_8080_to_5000_reads_the_same_whatever_the_shape(shape):
    assert ports.published(shape) == [ONE]
    assert published_ports(shape) == [{**ONE, "text": "8080 -> 5000"}]


def test_a_containers_inspect_and_a_range_with_an_address_and_udp():
    assert [p["text"] for p in published_ports(CTR_INSPECT)] == ["8089 -> 80"]
    assert [p["text"] for p in published_ports(LISTED_RANGE)] == ["127.0.0.1:5353-5354 -> 53-54/udp"]
    assert ports.host_ports(ports.published(LISTED_RANGE)[0]) == [5353, 5354]


def test_nothing_published_and_nonsense_read_as_no_ports():
    assert ports.published({"Ports": None}) == []
    assert ports.published({"InfraConfig": {"PortBindings": {}}}) == []
    assert ports.published(None) == []
    assert ports.published({"Name": "x"}) == []


def test_publishes_checks_host_and_pod_port():
    assert ports.publishes(POD_INSPECT, 8080, 5000)
    assert not ports.publishes(POD_INSPECT, 8080, 80)
    assert ports.publishes(LISTED_RANGE, 5354)


SS = """LISTEN 0      4096         0.0.0.0:8080      0.0.0.0:*    users:(("conmon",pid=4711,fd=5))
LISTEN 0      128          0.0.0.0:8082      0.0.0.0:*    users:(("python3",pid=4242,fd=3))
LISTEN 0      128                *:8089            *:*
"""


def test_holders_name_the_pod_a_process_or_nobody():
    held = ports.listeners(SS, {8080, 8082, 8089, 8086})
    assert held == {8080: ("conmon", 4711), 8082: ("python3", 4242), 8089: ("", 0)}
    owners = ports.podman_owners([LISTED_INFRA, LISTED_APP])
    assert owners[8080] == {"pod": "db-app-pod", "container": "webapp"}  # not the infra container
    found = {h["port"]: h for h in ports.holders([8080, 8082, 8086], held, owners)}
    assert found[8080]["pod"] == "db-app-pod" and not found[8080]["free"]
    assert found[8082]["process"] == "python3" and found[8082]["pid"] == 4242
    assert found[8086]["free"]


def test_who_holds_asks_ss_and_podman_once_each():
    calls = []

    def run(argv):
        calls.append(argv)
        if argv[0] == "ss":
            return 0, SS, ""
        import json

        return 0, json.dumps([LISTED_INFRA]), ""

    found = ports.who_holds(run, [8080], ss="ss", podman="podman")
    assert [h["pod"] for h in found] == ["db-app-pod"]
    assert calls == [["ss", "-Hltnp"], ["podman", "ps", "--pod", "--format", "json"]]
    assert ports.who_holds(run, []) == []


EX2 = {"scenario": "ex2", "ports": [8080], "pods": ["db-app-pod"], "containers": ["webapp", "database"]}


def holder(port, **kw):
    return {"port": port, "free": False, "process": "", "pid": 0, "pod": "", "container": "", **kw}


@pytest.mark.parametrize(
    ("found", "offset", "ok", "text", "hint"),
    [
        ([{**holder(8080), "free": True}], 0, True, "free", ""),
        ([holder(8080, pod="db-app-pod", container="webapp")], 0, True, "held by ex2 itself", ""),
        (
            [holder(8180, process="python3", pid=4242)],
            100,
            False,
            "port 8180 is in use by python3 (PID 4242)",
            "stop that process, then try again",
        ),
        (
            [holder(8080, pod="other-pod", container="x")],
            0,
            False,
            "port 8080 is published by Podman pod other-pod",
            "remove that pod (`podman pod rm -f other-pod`), then try again",
        ),
        (
            [holder(8080, container="nginx")],
            0,
            False,
            "port 8080 is published by Podman container nginx",
            "remove that container (`podman rm -f nginx`), then try again",
        ),
        (
            [holder(8080)],
            0,
            False,
            "port 8080 is in use by a process labctl cannot see (run as root to name it)",
            "stop that process, then try again",
        ),
    ],
)
def test_the_port_verdict_in_the_words_of_the_port_check(found, offset, ok, text, hint):
    verdict = port_verdict(found, EX2, offset)
    assert (verdict["ok"], verdict["found"], verdict["hint"]) == (ok, text, hint)
    assert verdict["ports"] == [8080 + offset]
    assert verdict["expected"] == f"{8080 + offset} free or held by ex2"


def test_up_stops_on_the_first_scenario_whose_ports_are_taken_in_one_sentence():
    found = [holder(8080, process="python3", pid=4242), {**holder(8089), "free": True}]
    ex3 = {"scenario": "ex3", "ports": [8089], "pods": ["text-app-pod"], "containers": []}
    first = port_verdict(found, [ex3, EX2], 0)
    assert not first["ok"] and first["problem"] == (
        "Port 8080 is in use by python3 (PID 4242), but scenario ex2 needs it: stop that process, then try again."
    )
    fine = port_verdict([{**holder(8089), "free": True}], [ex3, {"scenario": "ex4", "ports": []}], 0)
    assert fine["ok"] and fine["problem"] == "" and fine["ports"] == [8089]
    assert port_verdict([], [], 0)["ok"]


def test_the_offset_rules_are_one_sentence_each():
    assert ports.port_offset("20", "s01", [8080]) == 20
    with pytest.raises(
        ValueError, match=r"^lab_port_offset of host s01 must be a whole number from 0 to 50000, not 'abc'"
    ):
        ports.port_offset("abc", "s01", [8080])
    with pytest.raises(ValueError, match=r"moves port 30000 past 65535: use at most 35535 in the inventory\.$"):
        ports.port_offset(40000, "s01", [30000])
