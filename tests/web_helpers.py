"""Driving the web console in a real browser: Debian's Chromium under Playwright for Python.

Playwright never downloads a browser here (no `playwright install`): it is pointed at
/usr/bin/chromium (Debian package `chromium`), with the flags that keep Chromium off the network
it would otherwise reach for at every start (updates, sync, safe browsing)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts" / "web-console"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"

TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
PHONE = {"width": 390, "height": 844}


def launch(playwright):
    """Debian's Chromium, headless; a clear line when it is not installed."""
    if not CHROMIUM.exists():
        raise AssertionError("Chromium is not installed: `apt-get install -y --no-install-recommends chromium` "
                             "(scripts/setup installs it)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


class PageErrors:
    """Script errors and console errors on a page. Chromium logs every 4xx/5xx answer to a fetch
    as 'Failed to load resource': those are the API's refusals (409) the page shows on purpose,
    so they are kept apart from real errors."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.failed_loads: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        page.on("console", self._console)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        if msg.text.startswith("Failed to load resource"):
            self.failed_loads.append(msg.text)
        else:
            self.errors.append(f"console: {msg.text}")


def shot(page, name: str, *, docs: bool = False, full_page: bool = False) -> Path:
    """A screenshot into tests/artifacts/web-console/ (ignored by git). With `docs` and
    MEETSTREAM_DOCS_SCREENSHOTS=1 in the environment, also copied to docs/screenshots/ as
    web-console-NAME.png: only when asked, so a test run never changes tracked files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    if docs and os.environ.get("MEETSTREAM_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / f"web-console-{name}.png")
    return path


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """axe-core (tests/package.json: `npm install --prefix tests`) on the page as it is now:
    the WCAG 2.1 A/AA violations of the given impacts, each as {id, impact, help, targets}."""
    if not AXE.exists():
        raise AssertionError(f"axe-core is not installed ({AXE} missing): run "
                             "`npm install --prefix tests --no-package-lock --no-audit --no-fund`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in impacts]


def explain(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)


def pair(context, url: str, access) -> None:
    """Pair a browser context with a running server as a tablet is paired once: a code from the
    server (what `meetstream serve --pair` asks it for) exchanged at /api/pair for the device cookie,
    which lands in the context's cookie jar. `access` is the RunningServer's."""
    response = context.request.post(url.rstrip("/") + "/api/pair", data={"code": access.codes.issue(), "name": "test browser"})
    assert response.ok, response.text()
