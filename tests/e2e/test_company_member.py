"""A company member signs in and finds their own company under "My organization"."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from midas.registry import format_brn
from tests.e2e.conftest import DemoSite, Login


def test_a_company_member_sees_their_own_company(
    page: Page, site: DemoSite, sign_in: Callable[[Page, Login], None]
) -> None:
    company = site.member_company
    sign_in(page, site.member)

    my_organization = page.locator("nav.mainnav a[href='/registry/my']")
    expect(my_organization).to_be_visible()
    my_organization.click()

    expect(page).to_have_url(re.compile(rf"/registry/organizations/{company.id}$"))
    expect(page.locator("h1")).to_contain_text(company.name)
    expect(page.locator("main")).to_contain_text(format_brn(company.brn))
