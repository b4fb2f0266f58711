"""labctl.lab.scenario (the read step): a scenario by its id, for an Ansible user without labctl, found
in the checkout's scenarios/ or the collection's own, and never a path from a survey."""

import pytest
from ansible.errors import AnsibleActionFail

import tests.unit.collection  # noqa: F401 - module_utils importable
from tests.conftest import ROOT
from tests.unit.collection import load

scenario_action = load("plugins/action/scenario.py")


def test_an_id_names_the_file_in_the_first_folder_that_has_it(tmp_path):
    (tmp_path / "ex2.yml").write_text("id: ex2\n")
    found = scenario_action.scenario_file("ex2", [str(tmp_path / "nothing"), str(tmp_path), str(ROOT / "scenarios")])
    assert found == str(tmp_path / "ex2.yml")
    assert scenario_action.scenario_file("ex1", [str(tmp_path), str(ROOT / "scenarios")]).endswith("scenarios/ex1.yml")


@pytest.mark.parametrize(
    "given", ["../etc/passwd", "/etc/passwd", "ex1.yml", "EX1", "", "ex 1", "{{ lookup('env','HOME') }}"]
)
def test_an_id_is_a_name_never_a_path_or_a_template(given):
    with pytest.raises(AnsibleActionFail, match="lab_scenario_id must be a scenario's id") as err:
        scenario_action.scenario_file(given, [str(ROOT / "scenarios")])
    assert err.value.result["labctl_exit_code"] == 2


def test_an_unknown_id_says_where_it_looked(tmp_path):
    with pytest.raises(AnsibleActionFail, match=rf"No scenario ex9: no ex9.yml in {tmp_path}\."):
        scenario_action.scenario_file("ex9", [str(tmp_path)])


def test_a_role_is_found_in_the_collection_when_not_on_the_roles_path(tmp_path, monkeypatch):
    role = tmp_path / "roles" / "ex1_network_dns" / "tasks"
    role.mkdir(parents=True)
    (role / "up.yml").write_text("---\n")
    monkeypatch.setattr(scenario_action, "COLLECTION_DIR", str(tmp_path))
    assert scenario_action.find_role({"id": "ex1", "role": "ex1_network_dns"}, []) == str(role.parent)
    with pytest.raises(AnsibleActionFail, match="Role ex9_x of scenario ex9 not found"):
        scenario_action.find_role({"id": "ex9", "role": "ex9_x"}, [])
