"""verify --all -i: the class view on stdout, --csv and --html; watch; --lang (Ansible answered by fakes)."""

import contextlib
import csv
import dataclasses

from tests.unit.test_cli import invoke, room_result


def _ids():
    from labctl.core import scenarios

    return [s.id for s in scenarios.load_all([])]


def _answers(ids):
    answers = []
    for sid in ids:
        result = room_result(
            ["pc1", "pc2", "pc3"],
            [("pc1", "pod-running", "PASS"), ("pc2", "pod-running", "FAIL"), ("pc3", "pod-running", "PASS")],
            unreachable=["pc3"] if sid == ids[-1] else [],
        )
        answers.append(dataclasses.replace(result, students={"pc1": "Anna Schmidt"}))
    return answers


def test_verify_all_on_a_room_gives_students_by_exercises_and_writes_both_files(monkeypatch, tmp_path):
    ids = _ids()
    grades, page = tmp_path / "grades.csv", tmp_path / "class.html"
    outcome, calls = invoke(
        monkeypatch,
        tmp_path,
        ["verify", "--all", "-i", "ROOM", "--csv", str(grades), "--csv-dialect", "excel-de", "--html", str(page)],
        _answers(ids),
    )
    assert outcome.exit_code == 4, outcome.output
    assert [c[0] for c in calls] == ids and all(c[1] == "verify" for c in calls)
    lines = outcome.stdout.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["student"])
    assert header.split()[1:] == ids
    anna = next(line for line in lines if line.startswith("Anna Schmidt (pc1)"))
    assert anna.split()[-len(ids) :] == ["1/1"] * len(ids)
    assert next(line for line in lines if line.startswith("pc3 ")).split()[-1] == "offline"
    assert "verify ex1 -i INVENTORY" in outcome.stdout
    text = grades.read_text(encoding="utf-8")
    assert text.startswith("\ufeffstudent;machine;exercise;check;status;text")
    rows = list(csv.DictReader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))
    assert {(r["student"], r["exercise"], r["status"]) for r in rows if r["machine"] == "pc2"} == {
        ("pc2", sid, "FAIL") for sid in ids
    }
    assert page.read_text(encoding="utf-8").count('class="cell done"') == len(ids) * 1 + len(ids) - 1


def test_verify_all_in_german_from_lang_and_lab_lang_reaches_ansible(monkeypatch, tmp_path):
    from labctl.core import i18n, runner

    ids = _ids()
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    page = tmp_path / "class.html"
    try:
        outcome, _ = invoke(
            monkeypatch, tmp_path, ["verify", "--all", "-i", "ROOM", "--html", str(page)], _answers(ids)
        )
        assert "Teilnehmer/in" in outcome.stdout and "alle Checks bestanden" in outcome.stdout
        assert 'lang="de"' in page.read_text() and "Übung 1: Container Communication" in page.read_text()
        assert i18n.current() == "de"
        seen = {}
        monkeypatch.setattr(runner, "write_extravars", lambda private, data: seen.update(data) or 1 / 0)
        monkeypatch.setattr(runner.inventories, "resolve", lambda *a: runner.inventories.Inventory({}, ["x"]))
        with contextlib.suppress(ZeroDivisionError):
            runner.run_playbook("scenario.yml", {"lab_action": "verify"}, label="verify-ex1")
        assert seen["lab_lang"] == "de"
    finally:
        i18n.set_language("en")


def test_lang_flag_beats_the_locale_and_a_bad_one_is_exit_2(monkeypatch, tmp_path):
    from labctl.core import i18n

    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "--all", "-i", "ROOM", "--lang", "en"], _answers(_ids()))
    assert "every check passed" in outcome.stdout
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "ex1", "--lang", "fr"], [])
    assert outcome.exit_code == 2
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "--all", "--csv-dialect", "lotus"], [])
    assert outcome.exit_code == 2
    i18n.set_language("en")


def test_watch_regrades_with_look_only_and_marks_the_fix(monkeypatch, tmp_path):
    from labctl.cli import watch as watch_module
    from labctl.core.errors import LabctlError

    monkeypatch.setattr(watch_module.time, "sleep", lambda s: None)
    broken = room_result(["pc1", "pc2"], [("pc1", "app-answers", "PASS"), ("pc2", "app-answers", "FAIL")])
    fixed = room_result(["pc1", "pc2"], [("pc1", "app-answers", "PASS"), ("pc2", "app-answers", "PASS")])
    page = tmp_path / "class.html"
    outcome, calls = invoke(
        monkeypatch,
        tmp_path,
        ["watch", "ex2", "-i", "ROOM", "--every", "5", "--rounds", "3", "--html", str(page)],
        [broken, LabctlError("Another labctl run holds the store.", 3), fixed],
    )
    assert outcome.exit_code == 0, outcome.output
    assert [c[:2] for c in calls] == [("ex2", "verify")] * 3
    assert "Round 3" in outcome.stdout and "1/1▲" in outcome.stdout
    assert "Another labctl run holds the store." in outcome.stderr
    text = page.read_text()
    assert 'http-equiv="refresh" content="5"' in text and "moved-better" in text


def test_watch_ctrl_c_is_exit_130(monkeypatch, tmp_path):
    from labctl.cli import watch as watch_module

    def stop(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module.time, "sleep", stop)
    outcome, _ = invoke(monkeypatch, tmp_path, ["watch", "ex2", "-i", "ROOM"], [room_result(["pc1"])])
    assert outcome.exit_code == 130 and "1 round" in str(outcome.exception)


def test_lab_student_names_a_host_from_the_inventory():
    from labctl.core import inventory

    listing = {"_meta": {"hostvars": {"m1": {"lab_student": " Anna   Schmidt "}, "m2": {}, "m3": {"lab_student": ""}}}}
    assert inventory._students(listing) == {"m1": "Anna Schmidt"}


def test_a_config_file_that_cannot_be_read_leaves_help_working_and_is_reported_by_the_verb(monkeypatch, tmp_path):
    (tmp_path / "config" / "labctl").mkdir(parents=True)
    (tmp_path / "config" / "labctl" / "config.toml").write_text("lang = [unclosed\n")
    helped, calls = invoke(monkeypatch, tmp_path, ["up", "--help"], [])
    assert helped.exit_code == 0 and "Usage" in helped.output and not calls
    refused, calls = invoke(monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM"], [])
    assert refused.exit_code == 2 and "cannot be read" in str(refused.exception) and not calls
