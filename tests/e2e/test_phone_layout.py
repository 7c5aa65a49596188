"""On a phone (390 x 844) the menu opens from its toggle and the organization list fits the screen's width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE, DemoSite, Login

# A phone browser widens its layout viewport to fit content that is too wide, so innerWidth alone would hide an
# overflow: the page must fit both innerWidth and the screen's own width.
MEASURE = """() => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const wider = [];
  for (const element of document.querySelectorAll("main *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "");
      wider.push(`${name} ends at ${Math.round(box.right)}px`);
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, wider: wider.slice(0, 5)};
}"""


def test_the_menu_toggles_and_the_organization_list_fits_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    page = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.operator)
    page.goto("/registry/organizations")
    expect(page.locator(".result-count")).to_be_visible()

    menu_link = page.locator("nav.mainnav a[href='/registry/organizations']")
    toggle = page.locator("label[for=nav-toggle]")
    expect(menu_link).to_be_hidden()
    toggle.click()
    expect(menu_link).to_be_visible()
    page.screenshot(path=str(tmp_path / "phone-menu-open.png"))
    toggle.click()
    expect(menu_link).to_be_hidden()

    page.screenshot(path=str(tmp_path / "phone-organizations.png"), full_page=True)
    fits, measured = _fits(page)
    assert fits, (
        f"the organization list scrolls sideways on a {PHONE['width']}px phone: the page is "
        f"{measured['scrollWidth']}px wide; too wide: {measured['wider']}"
    )
    assert (tmp_path / "phone-organizations.png").stat().st_size > 0


def _fits(page: Page) -> tuple[bool, dict[str, Any]]:
    measured: dict[str, Any] = page.evaluate(MEASURE)
    return measured["scrollWidth"] <= min(measured["innerWidth"], PHONE["width"]) + 1, measured


def test_the_home_page_an_organization_and_the_audit_log_fit_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    page = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.operator)
    too_wide = {}
    for name, path in [("home", "/"), ("organization", f"/registry/organizations/{site.member_company.id}"),
                       ("audit", "/audit")]:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        page.screenshot(path=str(tmp_path / f"phone-{name}.png"), full_page=True)
        fits, measured = _fits(page)
        if not fits:
            too_wide[path] = f"{measured['scrollWidth']}px wide; too wide: {measured['wider']}"
    assert not too_wide, f"pages that scroll sideways on a {PHONE['width']}px phone: {too_wide}"
