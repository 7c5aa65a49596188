"""Expert assessment in a real browser: an expert scores on a tablet at the site, a company reads its report on a
phone, an operator reads the reliability of the finished round."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE, DemoSite, Login

TABLET = {"width": 820, "height": 1180}

# The widest element of <main> and the page's scroll width: the page must not scroll sideways.
MEASURE = """() => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const wider = [];
  for (const element of document.querySelectorAll("main *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !element.closest(".table-scroll, .scroll")) {
      wider.push(element.tagName.toLowerCase() + (element.className ? "." + element.className : ""));
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, wider: wider.slice(0, 5)};
}"""


def assert_fits(page: Page, width: int) -> None:
    measured: dict[str, Any] = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= min(measured["innerWidth"], width) + 1, (
        f"{page.url} scrolls sideways at {width}px: {measured['scrollWidth']}px wide; too wide: {measured['wider']}"
    )


def test_an_expert_scores_on_a_tablet_and_the_draft_is_kept(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    page = new_context(viewport=TABLET, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.experts[0])
    toggle = page.locator("label[for=nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.locator("nav.mainnav a[href='/assessment/my']").click()
    expect(page.locator("h1")).to_have_text("나의 평가 배정")

    page.get_by_role("link", name="채점표 열기").first.click()
    expect(page).to_have_url(re.compile(r"/assessment/assessments/\d+/score$"))
    first_item = page.locator(".anchors").first
    choice = first_item.locator("label.anchor").nth(3)
    choice.tap()
    expect(choice.locator("input[type=radio]")).to_be_checked()
    # The draft is saved by itself shortly after a change; the status line says so.
    expect(page.locator("#autosave")).to_contain_text("임시 저장했습니다", timeout=10_000)
    assert_fits(page, TABLET["width"])
    page.screenshot(path=str(tmp_path / "tablet-score-sheet.png"), full_page=False)

    page.reload()
    expect(page.locator(".anchors").first.locator("label.anchor").nth(3).locator("input")).to_be_checked()


def test_a_company_reads_its_report_with_a_radar_chart_on_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    page = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.member)
    page.goto("/assessment/company")
    page.get_by_role("link", name="보고서").first.click()
    expect(page).to_have_url(re.compile(r"/assessment/assessments/\d+/report$"))
    expect(page.locator(".report-level h2")).to_contain_text(re.compile(r"\d"))
    radar = page.locator("svg.radar")
    expect(radar).to_be_visible()
    expect(radar.locator("polygon.radar-series").first).to_have_attribute("points", re.compile(r"\d"))
    box = radar.bounding_box()
    assert box is not None
    assert box["width"] > 200, f"the radar chart is only {box['width']}px wide on a phone"
    assert_fits(page, PHONE["width"])
    page.screenshot(path=str(tmp_path / "phone-report.png"), full_page=True)


def test_an_operator_reads_the_reliability_of_the_finished_round(
    page: Page, site: DemoSite, sign_in: Callable[[Page, Login], None]
) -> None:
    sign_in(page, site.operator)
    page.locator("nav.mainnav a[href='/assessment/reliability']").click()
    expect(page).to_have_url(re.compile(r"/assessment/reliability/2025-1$"))
    expect(page.locator(".alpha-value")).to_contain_text(re.compile(r"α = 0\.\d{3}"))
    expect(page.locator(".alpha-figure svg")).to_be_visible()
