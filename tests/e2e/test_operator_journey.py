"""An operator signs in, finds a company by its Korean name, opens it and reads it in English; and sees the home
page's charts."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from midas.registry import format_brn
from tests.e2e.conftest import DemoSite, Login


def _result_count(page: Page) -> int:
    text = page.locator(".result-count").inner_text()
    digits = re.sub(r"\D", "", text)
    assert digits, f"no number in the result count {text!r}"
    return int(digits)


def test_operator_finds_a_company_by_its_korean_name_and_reads_it_in_english(
    page: Page, site: DemoSite, sign_in: Callable[[Page, Login], None]
) -> None:
    company = site.member_company
    operator = site.operators[1]  # the language choice is kept on the account: an operator of its own
    sign_in(page, operator)
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.goto("/registry/organizations")
    expect(page.locator(".result-count")).to_be_visible()
    everyone = _result_count(page)
    search = page.locator("input[name=q]")
    search.fill(company.name)
    search.press("Enter")
    link = page.locator(f"#results a[href='/registry/organizations/{company.id}']")
    expect(link).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    assert _result_count(page) < everyone, "the search did not narrow the list"

    link.click()
    expect(page).to_have_url(re.compile(rf"/registry/organizations/{company.id}$"))
    expect(page.locator("h1")).to_contain_text(company.name)
    expect(page.locator("main")).to_contain_text(format_brn(company.brn))
    expect(page.locator("main")).not_to_contain_text("Business registration number")  # Korean until switched

    page.locator("button[name=locale][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/registry/organizations/{company.id}$"))
    expect(page.locator("main")).to_contain_text("Business registration number")
    expect(page.locator("main")).to_contain_text(format_brn(company.brn))
    expect(page.locator("button[name=locale][value=en]")).to_have_attribute("aria-pressed", "true")


def test_the_home_page_charts_draw_their_bars(
    page: Page, site: DemoSite, sign_in: Callable[[Page, Login], None]
) -> None:
    sign_in(page, site.operator)
    page.goto("/")
    bars = page.locator(".bars li")
    expect(bars.first).to_be_visible()
    # The longest bar fills its track; a track squeezed to nothing draws no bar at all.
    widths = page.evaluate("""() => [...document.querySelectorAll(".bars .bar-track")].map(track => [
        track.getBoundingClientRect().width, track.querySelector(".bar-fill").getBoundingClientRect().width])""")
    assert widths, "the home page has no chart"
    assert max(track for track, _ in widths) >= 40, f"the bar tracks are squeezed: {widths[:3]}"
    assert max(fill for _, fill in widths) >= 40, f"no bar is drawn: {widths[:3]}"
