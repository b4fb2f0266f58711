"""The quick second up's probe: fingerprints from listing-shaped data (captured from Podman 4.3 with
throw-away objects), the sentences their differences give, the podman calls a probe makes, and the
record's file."""

import copy
import json
import os
import pwd
import stat

import pytest
from ansible_collections.labctl.lab.plugins.module_utils import fingerprints as state
from ansible_collections.labctl.lab.plugins.module_utils import records

import tests.unit.collection  # noqa: F401 - module_utils importable

IMAGE = "e4b76e087e4c83621701959ab0d4504d9240a5929f9c3b58965d4b770e8dc061"
POD_ID = "1f3806fa3584503a19b8cb601643e13a1a7a181a9be4ba31d82e371d62a72a2e"
INFRA_ID = "07550faa4e0900a567871b50bd7fa1bf3bc2e37f1a1172ac87cfad39150cbcda"
PORT = {"host_ip": "", "container_port": 80, "host_port": 18765, "range": 1, "protocol": "tcp"}

# `podman ps -a --pod --format json` (fields the probe reads, as Podman 4.3.1 printed them).
WEB = {
    "Id": "a7c59013edf91fa9281bc0670937f1b27c80e85aa7f64c2ce7f75a8359fec8bc",
    "Names": ["qsu-web"],
    "ImageID": IMAGE,
    "IsInfra": False,
    "Mounts": [],
    "Networks": ["qsu-net"],
    "Pod": "",
    "PodName": "",
    "Ports": None,
    "State": "running",
    "Status": "Up 1 second ago",
}
INFRA = {
    "Id": INFRA_ID,
    "Names": ["1f3806fa3584-infra"],
    "ImageID": "88f533f8f8299e13a9c305e7957d7bbac3288a7cde31b0883a437695a939eccb",
    "IsInfra": True,
    "Mounts": [],
    "Networks": ["podman"],
    "Pod": POD_ID,
    "PodName": "qsu-pod",
    "Ports": [PORT],
    "State": "running",
    "Status": "Up Less than a second ago",
}
IN_POD = {
    "Id": "70673668cbe9cc40bb6e573928217134aece45bb315c056c772eea09ff3a1895",
    "Names": ["qsu-inpod"],
    "ImageID": IMAGE,
    "IsInfra": False,
    "Mounts": ["/data"],
    "Networks": [],
    "Pod": POD_ID,
    "PodName": "qsu-pod",
    "Ports": [PORT],  # a container in a pod shows the pod's ports
    "State": "running",
    "Status": "Up Less than a second ago (starting)",
}
# `podman pod ps --format json`
POD = {
    "Containers": [
        {"Id": INFRA_ID, "Names": "1f3806fa3584-infra", "Status": "running"},
        {"Id": IN_POD["Id"], "Names": "qsu-inpod", "Status": "running"},
    ],
    "Id": POD_ID,
    "InfraId": INFRA_ID,
    "Name": "qsu-pod",
    "Networks": ["podman"],
    "Status": "Running",
}
# `podman network ls --format json` and `podman volume ls --format json`
NET = {"name": "qsu-net", "id": "71352e779bddcc70f4fe2bd8a8dabe69b71d97db752700487b39b01f0121c108", "dns_enabled": True}
VOL = {"Name": "qsu-vol", "CreatedAt": "2026-11-26T01:38:32.441053512Z", "Driver": "local"}
# `podman container inspect qsu-inpod` (Mounts) and `podman pod inspect qsu-pod` (SharedNamespaces)
IN_POD_INSPECT = {
    "Name": "qsu-inpod",
    "Mounts": [{"Type": "volume", "Name": "qsu-vol", "Destination": "/data", "Source": "/var/lib/x/_data"}],
}
POD_INSPECT = {"Id": POD_ID, "SharedNamespaces": ["uts", "ipc", "net"]}

RESOURCES = {
    "networks": ["qsu-net"],
    "volumes": ["qsu-vol"],
    "pods": ["qsu-pod"],
    "containers": ["qsu-web", "qsu-inpod"],
}


def found(web=WEB, in_pod=IN_POD, pod=POD, infra=INFRA, net=NET, vol=VOL):
    """What look() returns for the listings above; None leaves an object out."""
    containers = {c["Names"][0]: c for c in (web, in_pod) if c}
    return {
        "networks": {"qsu-net": net} if net else {},
        "volumes": {"qsu-vol": vol} if vol else {},
        "pods": {"qsu-pod": pod} if pod else {},
        "containers": containers,
        "infra": {"qsu-pod": infra} if infra else {},
    }


INSPECTED = {"containers": {"qsu-inpod": IN_POD_INSPECT}, "pods": {"qsu-pod": POD_INSPECT}}
RECORD_LIVE = state.fingerprints(found(), RESOURCES, INSPECTED)  # what `record` sees after an up
RECORD = state.make_record("h1", RECORD_LIVE)["fingerprints"]


def why(**changed):
    """The first reason the probe would give for the listings with `changed` objects."""
    reasons = state.differences(RECORD, state.fingerprints(found(**changed), RESOURCES))
    return reasons[0] if reasons else ""


def edit(item, **fields):
    return {**copy.deepcopy(item), **fields}


# --- fingerprints ----------------------------------------------------------------------------------


def test_fingerprints_of_real_listing_entries():
    assert state.fingerprint("containers", WEB) == {
        "id": WEB["Id"],
        "state": "running",
        "health": "",
        "pod": "",
        "networks": ["qsu-net"],
        "mounts": [],
        "image": IMAGE,
        "ports": [],
    }
    in_pod = state.fingerprint("containers", IN_POD, inspected=IN_POD_INSPECT)
    assert "ports" not in in_pod  # the pod's, not the container's
    assert in_pod["pod"] == "qsu-pod" and in_pod["health"] == "starting"
    assert in_pod["mounts"] == ["/data"] and in_pod["volumes"] == {"/data": "qsu-vol"}
    assert state.fingerprint("pods", POD, infra=INFRA, inspected=POD_INSPECT) == {
        "id": POD_ID,
        "state": "Running",
        "networks": ["podman"],
        "ports": ["18765 -> 80"],
        "namespaces": ["ipc", "net", "uts"],  # Podman keeps no order
    }
    assert state.fingerprint("networks", NET) == {"id": NET["id"], "dns": True}
    assert state.fingerprint("volumes", VOL) == {"id": "qsu-vol@2026-11-26T01:38:32.441053512Z"}


def test_anonymous_volumes_are_left_out_of_the_volume_names():
    anonymous = {"Type": "volume", "Name": "ab" * 32, "Destination": "/var/lib/mysql"}
    bind = {"Type": "bind", "Source": "/srv", "Destination": "/srv"}
    fp = state.fingerprint("containers", WEB, inspected={"Mounts": [anonymous, bind, *IN_POD_INSPECT["Mounts"]]})
    assert fp["volumes"] == {"/data": "qsu-vol"}


@pytest.mark.parametrize(
    ("port", "text"),
    [
        (PORT, "18765 -> 80"),
        ({**PORT, "host_ip": "127.0.0.1", "protocol": "udp"}, "127.0.0.1:18765 -> 80/udp"),
        ({**PORT, "range": 3}, "18765-18767 -> 80-82"),
    ],
)
def test_port_text(port, text):
    assert state.port_text(port) == text


@pytest.mark.parametrize(
    ("status", "health"),
    [("Up 2 minutes ago (healthy)", "healthy"), ("Up 1 second ago (unhealthy)", "unhealthy"), ("Up 3 hours", "")],
)
def test_health_as_podman_reports_it(status, health):
    assert state.health(status) == health


def test_the_record_keeps_no_state_or_health():
    """Health goes from starting to healthy by itself: a record with it would change at every converge."""
    assert all("state" not in fp and "health" not in fp for fps in RECORD.values() for fp in fps.values())


# --- differences -----------------------------------------------------------------------------------


def test_unchanged_listings_are_in_place():
    assert why() == ""
    assert why(in_pod=edit(IN_POD, Status="Up 5 minutes ago (healthy)")) == ""


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"web": edit(WEB, Networks=[])}, "container qsu-web is no longer attached to qsu-net"),
        ({"web": edit(WEB, Networks=["qsu-net", "podman"])}, "container qsu-web is now also attached to podman"),
        ({"web": edit(WEB, State="exited", Status="Exited (137) 2 seconds ago")}, "container qsu-web is exited"),
        ({"in_pod": edit(IN_POD, Status="Up 9 minutes ago (unhealthy)")}, "container qsu-inpod is unhealthy"),
        ({"web": None}, "container qsu-web is missing"),
        (
            {"web": edit(WEB, ImageID="08553fb39fbc" + "0" * 52)},
            f"container qsu-web runs image 08553fb39fbc instead of {IMAGE[:12]}",
        ),
        (
            {"web": edit(WEB, Ports=[{**PORT, "host_port": 18766}])},
            "container qsu-web now also publishes 18766 -> 80",
        ),
        (
            {"in_pod": edit(IN_POD, Id="f" * 64, Mounts=[])},
            "container qsu-inpod no longer mounts anything at /data",
        ),
        (
            {"in_pod": edit(IN_POD, Id="f" * 64, Pod="", PodName="", Ports=None)},
            "container qsu-inpod is no longer in pod qsu-pod",
        ),
        ({"infra": edit(INFRA, Ports=[{**PORT, "host_port": 18766}])}, "pod qsu-pod no longer publishes 18765 -> 80"),
        ({"pod": edit(POD, Networks=[])}, "pod qsu-pod is no longer attached to podman"),
        ({"net": edit(NET, dns_enabled=False)}, "network qsu-net no longer has DNS enabled"),
        ({"net": edit(NET, id="1" * 64)}, "network qsu-net was replaced"),
        ({"vol": edit(VOL, CreatedAt="2026-11-27T00:00:00Z")}, "volume qsu-vol was replaced"),
        ({"vol": None}, "volume qsu-vol is missing"),
    ],
)
def test_one_sentence_says_what_changed(changed, reason):
    assert why(**changed) == reason


def test_a_stopped_pod_is_told_before_its_stopped_containers():
    stopped = edit(IN_POD, State="exited", Status="Exited (0) 1 second ago")
    assert why(pod=edit(POD, Status="Exited"), in_pod=stopped) == "pod qsu-pod is exited"


def test_what_only_inspect_shows_is_compared_when_both_sides_have_it():
    """A replaced container whose listing looks the same: 'was replaced' until inspect tells more."""
    other = edit(IN_POD, Id="f" * 64)
    assert why(in_pod=other) == "container qsu-inpod was replaced"
    other_volume = {"containers": {"qsu-inpod": {"Mounts": [{**IN_POD_INSPECT["Mounts"][0], "Name": "qsu-vol2"}]}}}
    reasons = state.differences(RECORD, state.fingerprints(found(in_pod=other), RESOURCES, other_volume))
    assert reasons == ["container qsu-inpod no longer mounts qsu-vol at /data", "container qsu-inpod was replaced"]


def test_a_pod_sharing_other_namespaces():
    new_pod = edit(POD, Id="e" * 64)
    inspected = {"pods": {"qsu-pod": {"SharedNamespaces": ["ipc", "net", "uts", "pid"]}}}
    reasons = state.differences(RECORD, state.fingerprints(found(pod=new_pod), RESOURCES, inspected))
    assert reasons[0] == "pod qsu-pod now also shares the pid namespace"


def test_an_object_the_record_lacks():
    record = copy.deepcopy(RECORD)
    del record["containers"]["qsu-web"]
    assert state.differences(record, state.fingerprints(found(), RESOURCES)) == [
        "the last up left no container qsu-web"
    ]


# --- the probe's podman calls ----------------------------------------------------------------------


class FakeModule:
    """Answers podman's listings and inspects with the data above, counting the calls."""

    check_mode = False

    def __init__(self, inspect_fails=False, **changed):
        self.listing = found(**changed)
        self.inspect_fails = inspect_fails
        self.calls = []

    def get_bin_path(self, name, required=False):
        return "/usr/bin/podman"

    def run_command(self, cmd):
        args = cmd[1:]
        self.calls.append(args)
        if self.inspect_fails and args[1] == "inspect":
            return 125, "", "Error: no such container"
        ctrs = [*self.listing["containers"].values(), *self.listing["infra"].values()]
        out = {
            ("network", "ls"): list(self.listing["networks"].values()),
            ("volume", "ls"): list(self.listing["volumes"].values()),
            ("pod", "ps"): list(self.listing["pods"].values()),
            ("ps", "-a"): ctrs,
            ("container", "inspect"): [IN_POD_INSPECT],
            ("pod", "inspect"): POD_INSPECT,  # Podman 4.3: one object, not a list
        }[tuple(args[:2])]
        return 0, json.dumps(out), ""

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def test_a_probe_is_one_listing_per_kind_with_the_infra_containers_among_the_containers():
    module = FakeModule()
    listing = state.look(module.run_command, RESOURCES)
    assert [c[:2] for c in module.calls] == [["network", "ls"], ["volume", "ls"], ["pod", "ps"], ["ps", "-a"]]
    assert module.calls[-1][-1] == r"name=^(qsu\-web|qsu\-inpod|1f3806fa3584\-infra)$"
    assert listing["infra"] == {"qsu-pod": INFRA} and set(listing["containers"]) == {"qsu-web", "qsu-inpod"}


def probe(tmp_path, module):
    return state.why_not_in_place(
        module.run_command, str(tmp_path / "s.json"), "h1", RESOURCES, state.look(module.run_command, RESOURCES)
    )


def test_record_then_probe_is_in_place_without_inspect(tmp_path):
    state.write_atomically(str(tmp_path / "s.json"), json.dumps(state.make_record("h1", RECORD_LIVE)))
    module = FakeModule()
    assert probe(tmp_path, module) == ""
    assert len(module.calls) == 4


def test_inspect_runs_once_only_to_explain_a_replacement(tmp_path):
    state.write_atomically(str(tmp_path / "s.json"), json.dumps(state.make_record("h1", RECORD_LIVE)))
    module = FakeModule(in_pod=edit(IN_POD, Id="f" * 64))
    assert probe(tmp_path, module) == "container qsu-inpod was replaced"  # same volume: nothing else to say
    assert [c[:2] for c in module.calls[4:]] == [["container", "inspect"]]
    assert module.calls[4][2:] == ["qsu-inpod"]


def test_a_replaced_container_gone_before_inspect_is_still_told(tmp_path):
    state.write_atomically(str(tmp_path / "s.json"), json.dumps(state.make_record("h1", RECORD_LIVE)))
    module = FakeModule(inspect_fails=True, in_pod=edit(IN_POD, Id="f" * 64))
    assert probe(tmp_path, module) == "container qsu-inpod was replaced"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "no record of an earlier up"),
        ({"content_hash": "h0", "fingerprints": {}}, "the scenario's content changed since the last up"),
        ({"content_hash": "h1", "ids": {}}, "the record of the last up is from an older labctl"),
    ],
)
def test_no_usable_record(tmp_path, record, reason):
    if record is not None:
        (tmp_path / "s.json").write_text(json.dumps(record))
    assert probe(tmp_path, FakeModule()) == reason


# --- the record's file -----------------------------------------------------------------------------


def test_the_record_is_written_whole_and_private(tmp_path):
    path = tmp_path / "scenarios" / "ex1.json"
    path.parent.mkdir(mode=0o700)
    path.write_text("old")
    path.chmod(0o644)
    state.write_atomically(str(path), '{"new": 1}\n')
    assert path.read_text() == '{"new": 1}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["ex1.json"]  # no temp file left


def test_a_new_record_folder_is_private(tmp_path):
    path = tmp_path / "state" / "labctl" / "scenarios" / "ex1.json"
    state.write_atomically(str(path), "{}\n")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_one_record_folder_per_podman_store(monkeypatch):
    monkeypatch.setattr(state.os, "geteuid", lambda: 0)
    assert records.default_state_dir() == "/var/lib/labctl/scenarios"
    # A user's store's records are in their home from the password database, whatever the environment says.
    nobody = pwd.getpwnam("nobody")
    monkeypatch.setattr(state.os, "geteuid", lambda: nobody.pw_uid)
    monkeypatch.setenv("XDG_STATE_HOME", "/home/s/.state")
    monkeypatch.setenv("HOME", "/home/s")
    assert records.default_state_dir() == f"{nobody.pw_dir}/.local/state/labctl/scenarios"
