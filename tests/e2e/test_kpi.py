"""A company reads its factory's KPIs on a phone: from the menu to its factories, a period chosen in the picker,
the trend chart, the OEE breakdown and the KPI table visible, nothing wider than the screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas.auth import Actor, Role
from midas.db import make_engine
from midas.ingest import accept
from midas.registry import Factory
from tests.e2e.conftest import PHONE, DemoSite, Login
from tests.e2e.test_assessment import assert_fits
from tests.kpi.test_aggregates import shift_record
from tests.kpi.test_pages import produced

DAYS = range(1, 15)  # 1 to 14 October 2026


def october_record(day: int, unit: str, shift: str, start_hour: int) -> dict[str, object]:
    record = shift_record(day, start_hour, 8, unit=unit, shift=shift, **produced(24000 - 300 * (day % 7)))
    for field in ("PeriodStart", "PeriodEnd"):
        record[field] = str(record[field]).replace("2026-11-", "2026-10-")
    return record


def seed_production(site: DemoSite) -> int:
    """Two weeks of two work units on two shifts in the member company's first factory; its id."""
    engine = make_engine(site.database_url)
    try:
        with Session(engine) as session:
            company = site.member_company
            factory = session.scalars(select(Factory).where(Factory.organization_id == company.id)
                                      .order_by(Factory.id)).first()
            assert factory is not None, f"the demo company {company.name} has no factory"
            member = Actor(user_id=None, label="e2e", role=Role.COMPANY_MEMBER, organization_id=company.id)
            records = [october_record(day, unit, shift, hour) for day in DAYS for unit in ("L1-P01", "L1-P02")
                       for shift, hour in (("주간", 6), ("야간", 14))]
            receipt = accept(session, actor=member, items=[{"factory_id": factory.id, "template":
                                                            "ProductionPerformance", "record": r} for r in records])
            assert receipt.rejected == 0, receipt.refused
            session.commit()
            return factory.id
    finally:
        engine.dispose()


def test_a_company_reads_its_factory_kpis_on_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    factory_id = seed_production(site)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.member)
    toggle = page.locator("label[for=nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.locator("nav.mainnav a[href='/kpi/my']").click()
    expect(page.locator("h1")).to_have_text("나의 공장 KPI")
    assert_fits(page, PHONE["width"])

    page.locator(f"table a[href='/kpi/factories/{factory_id}']").click()
    expect(page).to_have_url(re.compile(rf"/kpi/factories/{factory_id}$"))
    page.locator("#f-start").fill("2026-10-01")
    page.locator("#f-end").fill("2026-10-31")
    page.locator("#f-grain").select_option("week")
    page.get_by_role("button", name="보기").click()
    expect(page).to_have_url(re.compile(r"start=2026-10-01&end=2026-10-31&grain=week"))

    chart = page.locator("figure.kpi-trend svg")
    expect(chart).to_be_visible()
    points = chart.locator("g.series.oee_index circle")
    expect(points.first).to_be_visible()
    # weeks 40 to 42 hold this test's records; the demo's own production data of the company may add weeks 43-44
    assert 3 <= points.count() <= 5
    expect(page.locator("ol.waterfall li")).to_have_count(4)
    expect(page.locator("table.kpi-table")).to_be_visible()
    expect(page.locator("table.kpi-table tr[data-kpi='oee_index'] td.kpi-value")).to_contain_text("%")
    expect(page.locator("a[href$='/export.xlsx?start=2026-10-01&end=2026-10-31&grain=week']")).to_be_visible()
    assert_fits(page, PHONE["width"])
    page.screenshot(path=str(tmp_path / "phone-factory-kpis.png"), full_page=True)
