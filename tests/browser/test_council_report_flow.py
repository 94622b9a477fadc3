"""The council report through the real UI, on the demo agency: the chief follows the agency dashboard's link,
downloads the report as PDF and as a workbook, and both hold the numbers the dashboard shows (hand counted in
tests/portal/test_demo_dashboards.py's docstring)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from settings import Settings
from tests.browser.conftest import People, nav, sign_in_demo
from tests.portal.demo_dashboards_support import Demo, build_demo
from tests.reports.support import pdf_text, workbook

pytestmark = pytest.mark.browser


@pytest.fixture
async def demo(session_factory, settings: Settings) -> Demo:
    return await build_demo(session_factory, settings.workflow_id_prefix)


async def download(page: Page, format_label: str, folder: Path) -> tuple[str, bytes]:
    """Choose a format, make the report, and keep the file the browser saves: its name and bytes."""
    await page.get_by_label(format_label).check()
    async with page.expect_download() as event:
        await page.get_by_role("button", name="Make the report").click()
    saved = await event.value
    path = folder / saved.suggested_filename
    await saved.save_as(path)
    return saved.suggested_filename, path.read_bytes()


async def test_chief_downloads_the_council_report_as_pdf_and_workbook(people: People, demo: Demo, tmp_path: Path):
    chief = await sign_in_demo(people, "chief")
    await nav(chief).get_by_role("link", name="Agency", exact=True).click()
    await expect(chief.locator("#totals-row td[data-state='total']")).to_have_text("41")
    await chief.get_by_role("link", name=re.compile("^Make a report of this")).click()
    await expect(chief).to_have_url(re.compile(r"/reports/agency$"))
    await expect(chief.get_by_role("heading", name="Agency compliance report", level=1)).to_be_visible()
    await expect(chief.get_by_label("Scope: a unit with every unit below it, or the whole agency")).to_have_value("")
    await people.shot(chief, "chief-council-report-form")

    name, data = await download(chief, "PDF: summary, charts, tables and every officer", tmp_path)
    assert re.fullmatch(r"compliance-report-agency-\d{4}-\d{2}-\d{2}\.pdf", name), name
    text = pdf_text(data)
    assert "41 officers tracked in the whole agency: 2% compliant (of the 40 not on leave)." in text
    assert "Lund, Derek" in text and "Overdue" in text

    name, data = await download(chief, "Excel workbook: a sheet per section and one of every officer", tmp_path)
    assert name.endswith(".xlsx")
    book = workbook(data)
    assert list(book["Summary"].iter_rows(values_only=True))[2] == (1, 36, 1, 2, 1, 41, 2)
    assert len(list(book["Officers"].iter_rows(values_only=True))) == 1 + 41
    assert people.problems == [], people.problems
