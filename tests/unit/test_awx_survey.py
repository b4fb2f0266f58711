"""scripts/awx_survey.py: AWX surveys from the roles' argument specs, and docs/awx.md showing one as
the script makes it."""

import importlib.util
import json
import re

import pytest
import yaml

from tests.conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("awx_survey", ROOT / "scripts" / "awx_survey.py")
awx_survey = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(awx_survey)

SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yml"))
# What AWX accepts in a survey question (awx/main/models/mixins.py, SurveyJobTemplateMixin).
QUESTION_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}


def questions(verb, scenario=None):
    return {q["variable"]: q for q in awx_survey.survey(verb, scenario)["spec"]}


@pytest.mark.parametrize("verb", ["up", "verify", "reset", "prepare", "clean"])
def test_every_verb_asks_for_the_exercise_first_and_every_question_is_one_awx_takes(verb):
    spec = awx_survey.survey(verb)["spec"]
    assert spec[0]["variable"] == "lab_scenario_id" and spec[0]["required"]
    assert spec[0]["choices"] == SCENARIOS and spec[0]["default"] == "ex1"
    for question in spec:
        assert question["type"] in QUESTION_TYPES
        assert {"question_name", "variable", "required", "type"} <= set(question)


def test_one_exercise_asks_for_its_roles_settings_with_their_defaults():
    asked = questions("up", "ex2")
    assert asked["lab_scenario_id"]["choices"] == ["ex2"]
    assert asked["ex2_pod_mysql_db_wait_seconds"] == {
        "question_name": "ex2_pod_mysql_db_wait_seconds",
        "question_description": "Deadline in seconds for the database to answer",
        "required": False,
        "type": "integer",
        "variable": "ex2_pod_mysql_db_wait_seconds",
        "default": 120,
        "min": 0,
        "max": 100000,
    }
    assert asked["ex2_pod_mysql_greeting"]["type"] == "text" and asked["ex2_pod_mysql_greeting"]["default"] == "Pod App"
    password = asked["ex2_pod_mysql_root_password"]
    assert password["type"] == "password" and "default" not in password  # never a default AWX would pass


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_the_scenario_file_sets_and_no_true_false_setting_is_asked_for(scenario):
    data = yaml.safe_load((ROOT / "scenarios" / f"{scenario}.yml").read_text())
    role = data["role"]
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    for verb, entry in (("up", "up"), ("verify", "verify")):
        asked = questions(verb, scenario)
        options = specs[entry]["options"]
        for name in asked:
            if name == "lab_scenario_id":
                continue
            assert name.startswith(f"{role}_")
            assert not options[name].get("required") and options[name].get("type", "str") != "bool"


def test_prepare_asks_where_the_files_go_and_clean_for_nothing_else():
    assert list(questions("prepare")) == ["lab_scenario_id", "lab_workdir"]
    assert list(questions("clean", "ex1")) == ["lab_scenario_id"]


def test_unknown_verb_or_scenario_is_one_sentence():
    with pytest.raises(ValueError, match="unknown verb 'start'"):
        awx_survey.survey("start")
    with pytest.raises(ValueError, match="unknown scenario 'ex9'"):
        awx_survey.survey("up", "ex9")


def test_the_survey_in_docs_awx_md_is_the_one_the_script_makes():
    text = (ROOT / "docs" / "awx.md").read_text()
    shown = re.search(r"<!-- survey: verify -->\n```json\n(.*?)\n```", text, re.S)
    assert shown, "docs/awx.md shows no verify survey"
    assert json.loads(shown.group(1)) == awx_survey.survey("verify")
