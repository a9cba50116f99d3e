"""The published site and the HTML report in Debian's Chromium (Playwright), checked with axe-core
for WCAG 2.0/2.1/2.2 A and AA, at a desktop width and on a 390-pixel phone, and read without
JavaScript. No OBS: these pages are static files opened from disk."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from meetstream.services.publish.report import build_report, render
from meetstream.services.publish.sample import EXEMPT_TITLE_PREFIX, fill_year
from meetstream.services.publish.site import publish_site
from web_helpers import AXE, PHONE, TABLET_LANDSCAPE, launch, shot

NOW = datetime(2026, 1, 26, 12, 0, tzinfo=timezone.utc)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def settings():
    from meetstream.config import Settings

    return Settings.model_validate({"council": {"name": "Northdale Borough Council", "timezone": "Europe/London"},
                                    "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "scenes.yaml"}},
                                    "report": {"targets": {"webcast_percent": 95, "max_delay_minutes": 5}}})


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from meetstream.store import Store

    root = tmp_path_factory.mktemp("publish")
    with Store.open(root / "state.sqlite3") as store:
        fill_year(store, committees=3, now=NOW)
        publish_site(settings(), store, root / "site", now=NOW)
        report = build_report(settings(), store, date(2025, 4, 1), date(2026, 1, 25), now=NOW,
                              views=lambda ids: {i: 100 + n * 37 for n, i in enumerate(ids)})
        (root / "report.html").write_text(render(report, "html"), encoding="utf-8")
    return root


def pages(root):
    site = root / "site"
    meeting = sorted((site / "archive").glob("2025-*.html"))[0]
    return {"upcoming": site / "index.html", "archive": site / "archive" / "index.html", "meeting": meeting,
            "report": root / "report.html"}


def axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' '))}));
    }""", TAGS)


@pytest.mark.parametrize("name", ["upcoming", "archive", "meeting", "report"])
@pytest.mark.parametrize("viewport", [TABLET_LANDSCAPE, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_violations_and_nothing_scrolls_sideways(browser, published, name, viewport):
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(pages(published)[name].as_uri())
        if name == "upcoming":
            page.locator("details summary").first.click()  # an open agenda is checked too
        found = axe(page)
        assert found == [], found
        if name != "report":  # the report's wide tables scroll in their own focusable region
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} is {width}px wide in a {viewport['width']}px viewport"
        shot(page, f"publish-{name}-{viewport['width']}", full_page=True)
    finally:
        context.close()


def test_the_pages_work_without_javascript(browser, published):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(pages(published)["upcoming"].as_uri())
        agenda = page.locator("details").first
        assert agenda.locator("li").first.is_hidden()
        agenda.locator("summary").click()
        assert agenda.locator("li").first.is_visible()
        assert "Exempt item (public excluded)" in agenda.inner_text()
        page.goto(pages(published)["meeting"].as_uri())
        links = page.locator("ol.moments a")
        assert links.count() >= 3
        assert links.nth(1).get_attribute("href").startswith("https://youtu.be/") and "?t=" in links.nth(1).get_attribute("href")
        assert page.get_by_text("Private session (public excluded)").count() == 1
    finally:
        context.close()


def test_the_report_prints_with_its_charts(browser, published):
    context = browser.new_context(viewport=TABLET_LANDSCAPE)
    try:
        page = context.new_page()
        page.goto(pages(published)["report"].as_uri())
        page.emulate_media(media="print")
        assert page.locator("svg.chart").count() == 3
        assert all(page.locator("svg.chart").nth(i).is_visible() for i in range(3))
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        context.close()


def test_no_exempt_title_anywhere_in_the_published_files(published):
    written = [p for p in published.rglob("*") if p.is_file() and p.suffix in (".html", ".ics", ".json", ".css")]
    assert len(written) > 30
    for p in written:
        assert EXEMPT_TITLE_PREFIX.casefold() not in p.read_text(encoding="utf-8").replace("\r\n ", "").casefold(), p
