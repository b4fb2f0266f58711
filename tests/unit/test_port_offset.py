"""lab_port_offset: each inventory host may move every host port of a scenario up by its own offset."""

import importlib.util

import pytest
from ansible.errors import AnsibleActionFail

import tests.unit.collection  # noqa: F401 - module_utils importable
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location(
    "labctl_lab_action_scenario", ROOT / "collections/ansible_collections/labctl/lab/plugins/action/scenario.py"
)
scenario_action = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scenario_action)

EX2 = {"id": "ex2", "role": "ex2_pod_mysql", "ports": {"host_port": 8080}, "images": {"db_image": "x:1"}}


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), (0, 0), (100, 100), ("20", 20), (50000, 50000)])
def test_offset_accepted(value, expected):
    assert scenario_action.port_offset(value, "s01", [8080]) == expected


# "²" and "٣" are digits to str.isdigit, and int() refuses the first: neither is an offset.
@pytest.mark.parametrize("value", [-1, 50001, "ten", "1.5", 1.5, True, [1], "{{ 3 }}", "²", "٣"])
def test_offset_refused_in_one_sentence(value):
    with pytest.raises(AnsibleActionFail) as err:
        scenario_action.port_offset(value, "s01", [8080])
    message = str(err.value)
    assert message.startswith("lab_port_offset of host s01 must be a whole number from 0 to 50000")
    assert message.count(". ") == 0 and "\n" not in message


def test_offset_past_the_last_port_names_the_largest_that_fits():
    with pytest.raises(AnsibleActionFail, match=r"moves port 30000 past 65535: use at most 35535 in the inventory"):
        scenario_action.port_offset(40000, "s01", [8080, 30000])
    assert scenario_action.port_offset(35535, "s01", [8080, 30000]) == 35535


def test_shifted_moves_only_the_ports_section():
    moved = scenario_action.shifted(EX2, 10)
    assert scenario_action.role_vars(moved) == {"ex2_pod_mysql_host_port": 8090, "ex2_pod_mysql_db_image": "x:1"}
    assert EX2["ports"] == {"host_port": 8080}  # the scenario itself is not changed
    assert scenario_action.shifted(EX2, 0) is EX2
