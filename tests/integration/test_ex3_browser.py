"""Exercise 3 in a real browser, as the course's step 5 has the student do it: open http://localhost:8089,
see a text from the API, click "Neuen Text holen", see no error.

Debian's chromium (/usr/bin/chromium) driven by Playwright: `playwright install` cannot download its own
browsers here. A screenshot is kept under tests/artifacts/.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, ROOT, remove_scenario_leftovers, run_labctl

pytestmark = pytest.mark.podman

URL = "http://localhost:8089/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
APP = ROOT / "roles" / "ex3_three_tier" / "files" / "api" / "app.py"


def snippets() -> list[str]:
    """The API's text_snippets, read from the course's app.py itself."""
    for node in ast.walk(ast.parse(APP.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "text_snippets" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"no text_snippets in {APP}")


SNIPPETS = snippets()
# What the page shows: "<snippet> (from <hostname>)"; in a pod the hostname is the pod's name.
FROM_API = re.compile(r"^(" + "|".join(map(re.escape, SNIPPETS)) + r") \(from [\w.-]+\)$")


@pytest.fixture(scope="module")
def ex3_up() -> Iterator[None]:
    """Exercise 3 set up once for this module, and cleaned up after it even when a test fails."""
    try:
        up = run_labctl("up", "ex3")
        assert up.rc == 0, up.stdout + up.stderr
        yield
    finally:
        run_labctl("clean", "ex3")
        remove_scenario_leftovers("ex3")


@pytest.fixture
def page(request):
    from playwright.sync_api import sync_playwright  # the `test` extra

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (scripts/test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1024, "height": 480})
            page = context.new_page()
            yield page
            # Kept as the test's artifact, also when it failed: what the student would have seen.
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"ex3_browser-{request.node.name}.png"), full_page=True)
        finally:
            browser.close()


def shown_text(page) -> str:
    """The text in #textDisplay once the page's fetch finished (neither the initial "..." nor "Loading...")."""
    page.wait_for_function(
        "() => !['...', 'Loading...'].includes(document.getElementById('textDisplay').textContent.trim())",
        timeout=15_000,
    )
    return page.locator("#textDisplay").inner_text().strip()


def test_the_page_shows_texts_from_the_api_and_fetches_a_new_one(ex3_up, page):
    from playwright.sync_api import expect

    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(URL)
    expect(page).to_have_title("Text Frontend")
    expect(page.get_by_role("heading", name="Text von der API")).to_be_visible()

    first = shown_text(page)
    assert FROM_API.match(first), f"not a text from the API: {first!r} (error: {page.locator('#error').inner_text()!r})"
    expect(page.locator("#error")).to_have_text("")

    for _ in range(3):
        with page.expect_response(lambda r: r.url.endswith("/api/text")) as answer:
            page.get_by_role("button", name="Neuen Text holen").click()
        assert answer.value.status == 200, answer.value.status
        text = shown_text(page)
        assert FROM_API.match(text), f"not a text from the API: {text!r}"
        expect(page.locator("#error")).to_have_text("")

    assert console_errors == [], "the browser console shows errors"
