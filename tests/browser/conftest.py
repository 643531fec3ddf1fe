"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live_server.

Every page a test opens is watched: a Content-Security-Policy violation, a JavaScript error or a
server error fails the test; a screenshot of the last page is kept in ``test-artifacts/``.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.security.support import _drop_swapped_out_tables  # noqa: F401
from tests.takedowns.conftest import holder, other_right, right  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw"  # tests/conftest.py's cast


def _skip_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return (
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; make test does it)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def chromium(monkeypatch):
    """One browser per test: Playwright's sync API keeps an event loop in this thread while it
    runs, so it must be stopped before any other test (or another suite's Playwright) runs here.
    While it runs, the ORM calls the test makes between page actions are synchronous and safe."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


VISIBLE_TEXT_JS = """() => {
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!node.nodeValue.trim() || !parent || parent.closest('code, script, style, template, #user-tools strong'))
            continue;
        const shown = parent.tagName === 'OPTION' ? parent.closest('select') : parent;
        if (shown && shown.checkVisibility()) texts.push(node.nodeValue);
    }
    for (const el of document.querySelectorAll('input[type=submit], input[type=button]'))
        if (el.checkVisibility() && el.value) texts.push(el.value);
    for (const el of document.querySelectorAll('[placeholder]'))
        if (el.checkVisibility()) texts.push(el.getAttribute('placeholder'));
    return texts;
}"""


class Watched:
    """A page plus everything the browser complained about while the test used it."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.js_errors: list[str] = []
        self.server_errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(f"{self.page.url}: {text[:120]}")

    def _response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, username: str, password: str = PASSWORD):
        page = self.page
        page.goto(self.url("/admin/login/?next=/admin/"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-form input[type=submit]")
        page.wait_for_load_state()
        return page

    def visible_text(self) -> list[str]:
        """The text the page shows: visible text nodes, button labels, placeholders and the
        options of visible drop-downs; not data such as <code> or the signed-in user's name."""
        return self.page.evaluate(VISIBLE_TEXT_JS)

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def pick(page, field_id, typed, expected):
    """Choose ``expected`` in a select2 autocomplete after typing ``typed``; return what the
    autocomplete offered."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    option = page.locator(".select2-results__option", has_text=expected)
    option.first.wait_for()
    offered = page.locator(".select2-results__option").all_inner_texts()
    option.first.click()
    return offered


@pytest.fixture
def browser_page(request, chromium, live_server):
    request.getfixturevalue("_drop_swapped_out_tables")
    context = chromium.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    watched = Watched(page, live_server.url)
    yield watched
    try:
        watched.shot(request.node.name)
    finally:
        context.close()
    assert not watched.csp_violations, watched.csp_violations
    assert not watched.js_errors, watched.js_errors
    assert not watched.server_errors, watched.server_errors
