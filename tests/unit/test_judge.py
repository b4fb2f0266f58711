"""Judging a list of checks and wording the results: statuses, languages, data never a template."""

import pytest

from tests.unit.labctl_lab import assertions, judge, texts

PHRASES = {
    "en": {
        "no_pod": "no pod named {pod}",
        "pod_is": "pod {pod} is {state}",
        "look_only": "not run with --look-only: this check {acts}",
        "no_answer": "no answer",
        "could_not_judge": "could not judge ({error})",
    },
    "de": {
        "no_pod": "kein Pod namens {pod}",
        "pod_is": "Pod {pod} ist {state}",
        "look_only": "nicht ausgeführt: {acts}",
    },
}
TEXTS = {
    "en": {
        "pod-running": {
            "name": "pod {pod} running",
            "expected": "pod {pod} running",
            "hint": "create it with `podman pod create --name {pod}`",
            "hints": {"start": "start it with `podman pod start {pod}`"},
        }
    },
    "de": {"pod-running": {"name": "Pod {pod} läuft", "hint": "erstellen Sie ihn: `podman pod create --name {pod}`"}},
}
CHECK = {"id": "pod-running", "assert": "pod_running", "args": {"pod": "db-app-pod"}}


def state(pod_state=None, name="db-app-pod"):
    return {"pods": {name: None if pod_state is None else {"Name": name, "State": pod_state, "Id": "p1"}}}


def run(checks, lab, lang="en", look_only=False):
    return judge.judge(checks, lab, TEXTS, PHRASES, lang=lang, look_only=look_only)


def test_a_passing_check_shows_no_hint():
    [result] = run([CHECK], state("Running"))
    assert result == {
        "id": "pod-running",
        "name": "pod db-app-pod running",
        "status": "PASS",
        "expected": "pod db-app-pod running",
        "found": "pod db-app-pod is Running",
        "hint": "",
        "excused": False,
        "acts": "",
        "lang": "en",
    }


def test_a_failing_check_picks_its_hint_variant():
    [missing] = run([CHECK], state(None))
    assert (missing["status"], missing["found"]) == ("FAIL", "no pod named db-app-pod")
    assert missing["hint"] == "create it with `podman pod create --name db-app-pod`"
    [stopped] = run([CHECK], state("Exited"))
    assert stopped["hint"] == "start it with `podman pod start db-app-pod`"


def test_german_where_there_is_german_and_english_where_not():
    [result] = run([CHECK], state("Exited"), lang="de")
    assert result["name"] == "Pod db-app-pod läuft"
    assert result["found"] == "Pod db-app-pod ist Exited"
    assert result["expected"] == "pod db-app-pod running", "de.yml lacks expected: English"
    # The German file has no variant 'start': its own default hint, not the English variant.
    assert result["hint"] == "erstellen Sie ihn: `podman pod create --name db-app-pod`"
    assert result["lang"] == "en", "a check partly in English says so"


def test_a_language_without_any_file_is_english():
    [result] = run([CHECK], state("Running"), lang="fr")
    assert result["name"] == "pod db-app-pod running" and result["lang"] == "en"


def test_values_from_the_lab_are_never_templates():
    sly = "{pod} {{ lookup('pipe', 'id') }} {% raw %}"
    [result] = run([{**CHECK, "args": {"pod": sly}}], state(None, name=sly))
    assert result["found"] == f"no pod named {sly}"
    assert result["name"] == f"pod {sly} running"


def test_a_check_that_acts_is_an_excused_skip_with_look_only():
    acting = {**CHECK, "acts": True}
    texts_acting = {"en": {"pod-running": {**TEXTS["en"]["pod-running"], "acts": "restarts the pod"}}}
    [result] = judge.judge([acting], state("Running"), texts_acting, PHRASES, look_only=True)
    assert result["status"] == "SKIP" and result["excused"] is True
    assert result["found"] == "not run with --look-only: this check restarts the pod"
    assert result["acts"] == "restarts the pod" and result["hint"] == ""
    [ran] = judge.judge([acting], state("Running"), texts_acting, PHRASES, look_only=False)
    assert ran["status"] == "PASS"


@pytest.mark.parametrize(
    ("severity", "lab", "status"), [("warn", None, "WARN"), ("info", None, "INFO"), ("info", "Running", "INFO")]
)
def test_severity(severity, lab, status):
    [result] = run([{**CHECK, "severity": severity}], state(lab))
    assert result["status"] == status


def test_a_skip_for_a_failed_precondition_explains_itself():
    check = {"id": "pod-running", "assert": "volume_mounted", "args": {"container": "db", "volume": "v", "path": "/d"}}
    [result] = judge.judge(
        [check], {"containers": {"db": None}}, TEXTS, {"en": {"no_such_container": "no {container}"}}
    )
    assert (result["status"], result["excused"], result["found"]) == ("SKIP", False, "no db")
    assert result["hint"], "a SKIP that counts as a failure says what to do"


def test_an_assertion_that_trips_over_the_lab_is_a_fail_that_says_so():
    lab = {"pods": {"db-app-pod": "not a mapping"}}
    [result] = run([CHECK], lab)
    assert result["status"] == "FAIL" and "AttributeError" in result["found"]


def test_a_strict_rendering_finds_a_placeholder_nobody_fills():
    broken = {"en": {"pod-running": {**TEXTS["en"]["pod-running"], "name": "pod {pods} running"}}}
    with pytest.raises(texts.MissingText):
        judge.judge([CHECK], state("Running"), broken, PHRASES, strict=True)
    [lenient] = judge.judge([CHECK], state("Running"), broken, PHRASES)
    assert lenient["name"] == "pod {pods} running", "a student still reads the rest"


def test_braces_that_are_no_placeholder_are_text():
    renderer = texts.Renderer("en", {})
    template = 'JSON like {"text": "…"}; `location /api/ { proxy_pass http://api_server/; }` for {pod}'
    assert renderer.fill(template, {"pod": "p"}) == template.replace("{pod}", "p")


@pytest.mark.parametrize(
    ("given", "lang"), [("de", "de"), ("de_DE.UTF-8", "de"), ("DE", "de"), ("", "en"), (None, "en"), ("../x", "en")]
)
def test_the_language_asked_for(given, lang):
    assert texts.language(given) == lang


@pytest.mark.parametrize(
    ("checks", "problem"),
    [
        ([{"id": "Pod_Running", "assert": "pod_running", "args": {"pod": "p"}}], "lower-case"),
        ([{"id": "pod-running", "assert": "pod_runs", "args": {"pod": "p"}}], "no assertion named"),
        ([{"id": "pod-running", "assert": "pod_running", "args": {"pods": "p"}}], "takes no argument 'pods'"),
        ([{"id": "pod-running", "assert": "pod_running", "args": {}}], "needs the argument 'pod'"),
        ([{"id": "pod-running", "assert": "pod_running", "args": {"pod": "p"}, "severity": "fatal"}], "severity"),
        ([{"id": "pod-running", "assert": "pod_running", "args": {"pod": "p"}, "that": True}], "unknown key 'that'"),
        ([CHECK, CHECK], "used twice"),
    ],
)
def test_a_check_list_with_a_mistake_is_refused(checks, problem):
    assert any(problem in p for p in judge.check_problems(checks)), judge.check_problems(checks)


def test_every_assertion_is_documented_and_takes_the_state_first():
    for name, found in assertions.ASSERTIONS.items():
        assert found.fn.__doc__, name
        assert found.fn.__code__.co_varnames[0] == "state", name
