"""up's ownership guard and clean's note of who made what: the exercise's names without labctl's label."""

import json

from ansible_collections.labctl.lab.plugins.module_utils import ownership, reasons

import tests.unit.collection  # noqa: F401 - module_utils importable

OURS = {"io.labctl.managed": "true", "io.labctl.scenario": "ex2"}
RESOURCES = {
    "networks": [],
    "pods": ["db-app-pod"],
    "containers": ["database", "webapp"],
    "volumes": ["mysql_data"],
    "secrets": ["ex2-mysql-root-password"],
}


def test_what_labctl_did_not_make_is_named_by_kind_and_name():
    found = {
        "pods": {"db-app-pod": {"Name": "db-app-pod", "Labels": OURS}},
        "containers": {"webapp": {"Names": ["webapp"], "Labels": {}}, "database": {"Labels": OURS}},
        "volumes": {"mysql_data": {"Name": "mysql_data", "Labels": None}},  # made by hand: no labels at all
        "secrets": {"ex2-mysql-root-password": {"Spec": {"Name": "ex2-mysql-root-password", "Labels": OURS}}},
    }
    assert ownership.not_made_by_labctl(RESOURCES, found) == ["container webapp", "volume mysql_data"]


def test_a_network_of_the_name_is_used_as_it_is_and_names_not_there_are_nobodys():
    found = {"networks": {"my-web-net": {"name": "my-web-net", "labels": {}}}}
    assert ownership.not_made_by_labctl({"networks": ["my-web-net"], "containers": ["client"]}, found) == []


def test_the_refusal_is_one_sentence_that_names_the_ways_out():
    one = reasons.english(ownership.refusal(["container webserver"]))
    assert one.startswith("Container webserver already exists but labctl did not make it, and up would replace it:")
    assert "--force" in one and "`labctl clean`" in one
    two = ownership.refusal(["container webapp", "volume mysql_data"])
    assert reasons.english(two).startswith(
        "Container webapp, volume mysql_data already exist but labctl did not make them"
    )
    assert reasons.say(two, "de").startswith(
        "Container webapp, Volume mysql_data gibt es schon, aber nicht von labctl angelegt, und up würde sie ersetzen:"
    )


def test_secrets_are_listed_then_inspected_once():
    calls = []

    def run(argv):
        calls.append(argv)
        if argv[2] == "ls":
            return 0, "other\nex2-mysql-root-password\n", ""
        return 0, json.dumps([{"Spec": {"Name": "ex2-mysql-root-password", "Labels": OURS}}]), ""

    found = ownership.podman_secrets(run, "podman", ["ex2-mysql-root-password", "missing"])
    assert list(found) == ["ex2-mysql-root-password"]
    assert calls[1] == ["podman", "secret", "inspect", "ex2-mysql-root-password"]
    assert ownership.podman_secrets(run, "podman", []) == {}
