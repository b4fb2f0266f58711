"""The class view: cells from machines, students by lab_student, watch's rounds, terminal, CSV and page."""

import csv
import dataclasses
import datetime
import html.parser
import io
import re

import pytest

from labctl.core import classview, export, i18n, report, results
from labctl.core.results import Check

WHEN = datetime.datetime(2026, 11, 5, 10, 2, 3)
EXERCISES = [classview.Exercise("ex1", "Exercise 1"), classview.Exercise("ex2", "Exercise 2")]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def machine(host, statuses, result=None, reason="", **check):
    checks = [
        Check(host=host, name=f"{cid} name", status=s, id=cid, hint=f"hint for {cid}", expected="x", found="y", **check)
        for cid, s in statuses
    ]
    failing = any(c.failing for c in checks)
    if result is None:
        result = results.FAILED if failing or not checks else results.OK
    return results.Machine(host, result, 1 if failing else 0, checks=checks, reason=reason)


def view(ex1, ex2=None, students=None, not_graded=None):
    graded = [("ex1", ex1)] + ([("ex2", ex2)] if ex2 is not None else [])
    return classview.build(EXERCISES, graded, students=students, graded_at=WHEN, not_graded=not_graded)


def test_cells_count_passed_of_graded_checks_and_name_the_state():
    m = machine("pc1", [("a", "PASS"), ("b", "FAIL"), ("c", "SKIP")])
    cell = classview.cell_of(m)
    assert (cell.state, cell.label, [c.id for c in cell.failing]) == ("partial", "1/3", ["b", "c"])
    assert classview.cell_of(machine("pc1", [("a", "PASS")])).state == "done"
    assert classview.cell_of(machine("pc1", [("a", "FAIL")])).state == "none"
    # an acting check left out by --look-only (an excused SKIP) does not count against the student
    excused = machine("pc1", [("a", "PASS")])
    excused.checks.append(Check(host="pc1", name="acts", status="SKIP", id="acts", excused=True))
    assert classview.cell_of(excused).label == "1/1"
    gone = results.Machine("pc2", results.UNREACHABLE, 4, reason="cannot reach it: ssh.")
    assert (classview.cell_of(gone).state, classview.cell_of(gone).label) == ("unreachable", "offline")
    limits = machine("pc3", [("a", "PASS"), ("b", "NOT_ENFORCED")], result=results.NOT_ENFORCED)
    assert classview.cell_of(limits).state == "not-enforced"


def test_students_are_named_by_lab_student_else_the_host_and_keep_the_inventory_order():
    v = view([machine("pc2", []), machine("pc1", [])], students={"pc1": "Anna Schmidt"})
    assert [(s.host, s.name) for s in v.students] == [("pc2", "pc2"), ("pc1", "Anna Schmidt")]


def test_an_exercise_whose_run_failed_is_unknown_with_the_reason():
    v = view([machine("pc1", [("a", "PASS")])], not_graded={"ex2": "another run holds it"})
    assert v.cell("pc1", "ex2").state == "unknown" and v.cell("pc1", "ex2").reason == "another run holds it"


def test_watch_marks_moved_cells_and_students_who_have_not_moved():
    tracker = classview.Tracker(stuck_after=600)
    first = tracker.round(view([machine("anna", [("a", "FAIL")]), machine("ben", [("a", "FAIL")])]), now=0)
    assert first.moved == {} and first.stuck == {}
    second = tracker.round(view([machine("anna", [("a", "PASS")]), machine("ben", [("a", "FAIL")])]), now=300)
    assert second.moved == {("anna", "ex1"): "better"} and second.stuck == {}
    third = tracker.round(view([machine("anna", [("a", "PASS")]), machine("ben", [("a", "FAIL")])]), now=660)
    assert third.moved == {} and third.stuck == {"ben": 660}  # anna finished: never stuck
    worse = tracker.round(view([machine("anna", [("a", "FAIL")]), machine("ben", [("a", "FAIL")])]), now=700)
    assert worse.moved == {("anna", "ex1"): "worse"}


def test_an_unreachable_round_is_no_news_and_stops_nothing():
    tracker = classview.Tracker(stuck_after=600)
    tracker.round(view([machine("ben", [("a", "FAIL"), ("b", "FAIL")])]), now=0)
    gone = results.Machine("ben", results.UNREACHABLE, 4, reason="cannot reach it: timeout.")
    offline = tracker.round(view([gone]), now=300)
    assert offline.moved == {("ben", "ex1"): "changed"}
    back = tracker.round(view([machine("ben", [("a", "PASS"), ("b", "FAIL")])]), now=400)
    assert back.stuck == {} and tracker.since["ben"] == 400  # a change while away counts as a move on return
    later = tracker.round(view([machine("ben", [("a", "PASS"), ("b", "FAIL")])]), now=1000)
    assert later.stuck == {"ben": 600}


def test_the_terminal_matrix_shows_passed_of_total_the_marks_and_a_legend():
    v = view([machine("pc1", [("a", "PASS"), ("b", "FAIL")])], [machine("pc1", [("a", "PASS")])], {"pc1": "Anna"})
    marks = classview.Round(moved={("pc1", "ex1"): "better"}, stuck={"pc1": 720.0})
    console = report.Console(width=120, record=True, file=io.StringIO())
    console.print(report.class_view_table(v, marks))
    console.print(report.class_view_legend(watching=True))
    text = console.export_text()
    assert "Anna (pc1)" in text and "1/2▲" in text and "1/1" in text and "no change for 12 min" in text
    assert "every check passed" in text and "better since the last round" in text


def test_a_lab_cannot_reach_the_terminal_with_markup_or_control_characters():
    v = view([machine("[red]x\x1b]52;c;AAAA\x07", [("a", "PASS")])], students={})
    console = report.Console(width=120, record=True, file=io.StringIO())
    console.print(report.class_view_table(v))
    text = console.export_text()
    assert "[red]x" in text and "\x1b" not in text and "\x07" not in text


def test_the_csv_has_the_documented_columns_a_row_per_check_and_english_keys():
    v = view(
        [
            machine("pc1", [("a", "PASS"), ("b", "FAIL")]),
            results.Machine("pc2", results.UNREACHABLE, 4, reason="gone."),
        ],
        students={"pc1": "Anna Schmidt"},
    )
    with i18n.speaking("de"):
        rows = list(csv.reader(io.StringIO(export.csv_text(v))))
    assert rows[0] == ["student", "machine", "exercise", "check", "status", "text"]
    assert rows[1][:5] == ["Anna Schmidt", "pc1", "ex1", "a", "PASS"]
    assert rows[2][:5] == ["Anna Schmidt", "pc1", "ex1", "b", "FAIL"] and "Hinweis: hint for b" in rows[2][5]
    assert ["pc2", "pc2", "ex1", "", "UNREACHABLE", "gone."] in rows


def test_excel_de_is_semicolons_with_a_bom_and_formulas_are_text():
    v = view([machine("=cmd|'/c calc'!A1", [("a", "FAIL")])], students={})
    text = export.csv_text(v, "excel-de")
    assert text.startswith("\ufeffstudent;machine;exercise;check;status;text\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1][0].startswith("'=") and rows[1][1].startswith("'=")
    assert all(not cell.startswith(export.room.FORMULA) for row in rows for cell in row)


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_is_self_contained_and_escapes_everything_a_lab_gives():
    evil = '<script>alert(1)</script><img src=http://example.com/x onerror=alert(2)>"'
    m = machine("pc1", [("a", "PASS"), ("b", "FAIL")])
    m.checks[1] = dataclasses.replace(m.checks[1], found=evil, hint="</details><iframe src=//evil>")
    v = view([m], students={"pc1": evil})
    with i18n.speaking("de"):
        v.lang = "de"
        text = export.page(v, classview.Round(stuck={"pc1": 900}), refresh=30)
    page = _Page()
    page.feed(text)
    assert not {"script", "img", "iframe", "link", "object", "embed"} & set(page.tags)
    assert not [a for a in page.attrs if a[1] in ("src", "href", "onerror")]
    assert ("meta", "http-equiv", "refresh") in page.attrs
    csp = [v for t, k, v in page.attrs if v and "default-src 'none'" in v]
    assert csp, "a Content-Security-Policy allowing nothing but inline style"
    words = "".join(page.text)
    assert evil in words and "Hinweis: </details><iframe src=//evil>" in words  # shown as text, not markup
    assert "Bewertet am 2026-11-05 10:02:03" in words and "Teilnehmer/in" in words
    assert "1/2" in words and "seit 15 Min. unverändert" in words
    assert re.search(r'<td class="cell partial"[^>]*><details><summary>1/2</summary>', text)


def test_the_page_lists_each_students_failed_checks_with_expected_found_and_hint():
    v = view([machine("pc1", [("a", "FAIL")])], [machine("pc1", [("b", "PASS")])], students={"pc1": "Ben"})
    text = export.page(v)
    assert "Ben: 1 check did not pass" in text and "ex1: a name" in text
    assert "expected x" in text and "found y" in text and "hint: hint for a" in text
    assert 'http-equiv="refresh"' not in text
    assert "Exercise 2" in text  # the exercises' titles


def test_the_files_are_written_atomically_in_a_folder_of_ones_own(tmp_path):
    v = view([machine("pc1", [("a", "PASS")])])
    page = export.write_html(tmp_path / "class.html", v)
    grades = export.write_csv(tmp_path / "class.csv", v, "excel-de")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert grades.read_bytes().startswith(b"\xef\xbb\xbfstudent;")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.csv", "class.html"]  # no temp file left
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o777)
    theirs.chmod(0o777)
    with pytest.raises(export.results.LabctlError) as caught:
        export.write_html(theirs / "class.html", v)
    assert caught.value.exit_code == 3
