"""The trainer's view of the class on the suite's room (tests/room/room.py), in German.

A class: m1's student did ex1 and ex2 with the course's commands, m2's made a mistake in ex2 (their "webapp"
in the pod is an nginx whose page is markup with a script in it), m3's did nothing.
`verify --all -i --html --csv` with LANG=de_DE.UTF-8 gives the right cells, in German; `watch --every 5` sees
m2's fix within one round (pictures of the page before and after under tests/artifacts/); the page renders in
real Chromium, its FAIL cell shows the hint, it fetches nothing, and the student's page (shown as what the
check found) injects nothing.

Named to run after tests/integration/test_room.py, whose first tests need the room as it starts (no
Podman, no images); what it leaves on the room is cleaned when the module ends.
"""

import csv
import re
import time

import pytest

from tests.conftest import ROOT, run_labctl, start_labctl, stop_labctl
from tests.integration.conftest import ensure_set_up
from tests.integration.test_ex3_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.test_room import lab_up
from tests.room.room import Room

pytestmark = [pytest.mark.room, pytest.mark.podman, pytest.mark.slow]

GERMAN = {"LANG": "de_DE.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
STUDENTS = {"m1": "Anna Schmidt", "m2": "Ben <b>Bold</b>", "m3": "Cem Yilmaz"}
EVIL = "<img src=http://127.0.0.1:9/x onerror=alert(1)><script>alert(2)</script>"
# m2's "webapp": an nginx in the pod on the app's port 5000 whose page is EVIL; the page check shows what it got.
EVIL_APP = (
    "printf '%s' \"$PAGE\" > /usr/share/nginx/html/index.html"
    " && sed -i 's/listen\\(.*\\)80;/listen\\15000;/' /etc/nginx/conf.d/default.conf"
    " && exec nginx -g 'daemon off;'"
)


def class_inventory(room: Room, tmp_path) -> str:
    """The room's inventory with a lab_student per machine (one of them with markup in it)."""
    lines = []
    for line in room.inventory.read_text().splitlines():
        host = line.split(" ", 1)[0]
        lines.append(f"{line} lab_student='{STUDENTS[host]}'" if host in STUDENTS else line)
    path = tmp_path / "class.ini"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def round_of(page: str) -> int:
    """The round number a watch page shows ("Runde N")."""
    found = re.search(r"Runde (\d+)", page)
    assert found, page[:2000]
    return int(found.group(1))


def screenshot(page_file, png: str) -> None:
    """A picture of a page as Chromium shows it, kept under tests/artifacts/ (for the closing note)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / png), full_page=True)
        finally:
            browser.close()


@pytest.fixture(scope="module", autouse=True)
def room_left_clean(room):
    """After this module, no exercise on the room's machines: the tests after it find the room as
    test_room.py's last test leaves it."""
    yield
    for scenario in ("ex1", "ex2"):
        cleaned = run_labctl("clean", scenario, "-i", str(room.inventory), "--become", timeout=900)
        assert cleaned.rc == 0, cleaned.stdout + cleaned.stderr


@pytest.fixture(scope="module")
def a_class(room, tmp_path_factory):
    """m1 done (ex1, ex2), m2 with its own "webapp" in the pod serving markup, m3 nothing: made once for
    the module (the tests that only look at the class come first; the watch test, which fixes m2, last)."""
    room = ensure_set_up(room)
    lab_up(room, "ex1", "ex2")
    for scenario in ("ex1", "ex2"):
        clean = run_labctl("clean", scenario, "-i", str(room.inventory), "--become", "-l", "m3", timeout=900)
        assert clean.rc == 0, clean.stdout + clean.stderr
    room.podman(2, "rm", "-f", "-t", "0", "webapp")
    room.podman(
        2, "run", "-d", "--pod", "db-app-pod", "--name", "webapp", "-e", f"PAGE={EVIL}",
        "docker.io/library/nginx:alpine", "sh", "-c", EVIL_APP,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "onerror" not in room.podman(2, "exec", "webapp", "wget", "-qO-", "http://localhost:5000/", check=False):
        assert time.monotonic() < deadline, "m2's markup page did not come up"
        time.sleep(1)
    yield room, class_inventory(room, tmp_path_factory.mktemp("class"))
    # m2's own "webapp" is not labctl's: up leaves it alone (test_ownership), so the next class starts without it.
    room.podman(2, "rm", "-f", "-t", "0", "webapp", check=False)


@pytest.mark.timeout(1800)
def test_verify_all_in_german_gives_the_class_as_matrix_page_and_csv(a_class, tmp_path):
    _room, inventory = a_class
    page, grades = tmp_path / "klasse.html", tmp_path / "noten.csv"
    args = ["verify", "--all", "-i", inventory, "--become", "--html", str(page), "--csv", str(grades)]
    verify = run_labctl(*args, "--csv-dialect", "excel-de", env=GERMAN, timeout=1800)
    assert verify.rc == 1, verify.stdout + verify.stderr
    assert "Teilnehmer/in" in verify.stdout and "Anna Schmidt" in verify.stdout
    text = grades.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(text.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert set(rows[0]) == {"student", "machine", "exercise", "check", "status", "text"}
    status = {}
    for r in rows:
        status.setdefault((r["machine"], r["exercise"]), set()).add(r["status"])
    assert status[("m1", "ex1")] == {"PASS"} and status[("m1", "ex2")] == {"PASS"}
    assert status[("m2", "ex1")] == {"PASS"} and {"PASS", "FAIL"} <= status[("m2", "ex2")]
    assert "PASS" not in status[("m3", "ex1")] | status[("m3", "ex2")]
    failed = [r for r in rows if r["machine"] == "m2" and r["exercise"] == "ex2" and r["status"] == "FAIL"]
    assert any("Hinweis:" in r["text"] for r in failed), failed  # the checks spoke German (lab_lang)
    assert {r["student"] for r in rows} >= {"Anna Schmidt", "Cem Yilmaz"}
    html = page.read_text(encoding="utf-8")
    assert 'lang="de"' in html and "Übung 2: Creating a Multi-Container Pod" in html
    assert "<b>Bold</b>" not in html and "Ben &lt;b&gt;Bold&lt;/b&gt;" in html
    # what m2's page returned is shown as text, escaped, in the found of the page check
    assert "onerror=alert(1)" in html and "<img" not in html and "<script" not in html, html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_the_page_in_chromium_renders_shows_the_hint_and_fetches_nothing(a_class, tmp_path):
    from playwright.sync_api import sync_playwright

    _room, inventory = a_class
    page_file = tmp_path / "klasse.html"
    verify = run_labctl("verify", "ex2", "-i", inventory, "--become", "--html", str(page_file), env=GERMAN)
    assert verify.rc == 1, verify.stdout + verify.stderr
    requests, dialogs = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            assert page.locator("table.matrix tbody tr").count() == 3
            failing = page.locator("td.cell.partial details").first
            failing.locator("summary").click()
            assert "Hinweis" in failing.inner_text() or failing.locator(".hint").count() >= 1
            assert page.locator("td.cell.done").count() >= 1
            assert page.evaluate("() => document.querySelectorAll('script, img, iframe').length") == 0
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "class_view.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [page_file.as_uri()], requests  # the page itself, nothing else
    assert dialogs == []


@pytest.mark.timeout(1800)
def test_watch_sees_a_fix_within_one_round(a_class, tmp_path):
    room, inventory = a_class
    page = tmp_path / "watch.html"
    watch = start_labctl("watch", "ex2", "-i", inventory, "--become", "--every", "5", "--html", str(page), env=GERMAN)
    try:
        deadline = time.monotonic() + 600
        while "Runde 1" not in (page.read_text(encoding="utf-8") if page.exists() else ""):
            assert watch.poll() is None and time.monotonic() < deadline, "watch wrote no first round"
            time.sleep(1)
        before = page.read_text(encoding="utf-8")
        assert 'http-equiv="refresh" content="5"' in before
        assert '<td class="cell done moved-better"' not in before  # what the loop below waits for is not there yet
        (tmp_path / "before.html").write_text(before, encoding="utf-8")
        # m2 fixes it: their own "webapp" goes (labctl's up replaces nothing it did not make), labctl's comes back.
        room.podman(2, "rm", "-f", "-t", "0", "webapp")
        fix = run_labctl("up", "ex2", "-i", str(room.inventory), "--become", "-l", "m2", timeout=900)
        assert fix.rc == 0, fix.stdout + fix.stderr
        fixed_in = round_of(page.read_text(encoding="utf-8"))  # the round written last when the fix was done
        # m2's cell, now all passed and marked better than the round before (the page's CSS and legend name
        # the class "moved-better" in every round: only a cell's class attribute says it moved).
        after = ""
        while '<td class="cell done moved-better"' not in after:
            assert watch.poll() is None and time.monotonic() < deadline, "watch did not see the fix"
            time.sleep(1)
            after = page.read_text(encoding="utf-8")
        (tmp_path / "after.html").write_text(after, encoding="utf-8")
        # the round under way during the fix may have looked before it; the one after it saw it
        assert round_of(after) <= fixed_in + 2, (fixed_in, round_of(after))
    finally:
        out, err = stop_labctl(watch)
    assert watch.returncode == 130, out + err
    assert "Runde" in out
    screenshot(tmp_path / "before.html", "watch-before.png")
    screenshot(tmp_path / "after.html", "watch-after.png")
