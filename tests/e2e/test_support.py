"""Support programs in a real browser: a company follows its application and project on a phone and appeals a
decision, an operator reads the selection run of a round, an expert records a completion inspection on a tablet,
and anyone reads where the country stands against the MIDAS 2027 targets."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE, DemoSite, Login
from tests.e2e.test_assessment import TABLET, assert_fits


def _open_menu(page: Page) -> None:
    toggle = page.locator("label[for=nav-toggle]")
    if toggle.is_visible():
        toggle.click()


def test_a_company_follows_its_funded_project_on_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
    tmp_path: Path,
) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.members[0])
    _open_menu(page)
    page.locator("nav.mainnav a[href='/support/my']").click()
    expect(page.locator("h1")).to_have_text("나의 지원사업 신청")
    assert_fits(page, PHONE["width"])

    page.locator("table a[href^='/support/applications/']").first.click()
    expect(page).to_have_url(re.compile(r"/support/applications/\d+$"))
    expect(page.locator("ol.steps li.step").first).to_be_visible()
    expect(page.locator("#decision-heading")).to_contain_text("선정")
    assert_fits(page, PHONE["width"])

    page.locator("section[aria-labelledby=project-heading] a[href^='/support/projects/']").first.click()
    expect(page).to_have_url(re.compile(r"/support/projects/\d+$"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("정부 지원금")
    assert_fits(page, PHONE["width"])
    page.screenshot(path=str(tmp_path / "phone-project.png"), full_page=True)


def test_a_waitlisted_company_files_an_appeal_before_the_deadline(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.members[1])
    page.goto("/support/my")
    waitlisted = page.locator("tr", has=page.locator("span.badge.app-waitlisted")).first
    waitlisted.locator("a[href^='/support/applications/']").click()
    expect(page.locator("#decision-heading")).to_contain_text("예비 선정")

    page.get_by_role("link", name="이의신청").click()
    expect(page.locator("h1")).to_have_text("결정에 대한 이의신청")
    page.locator("textarea[name=reason]").fill("짧음")
    page.get_by_role("button", name="이의신청 제출").click()
    expect(page.locator("textarea[name=reason]")).to_have_attribute("aria-invalid", "true")

    reason = ("평가 점수에 현장 자동화 설비가 반영되지 않았습니다. "
              "설비 목록과 사진을 첨부한 보완 자료를 검토해 주십시오.")
    page.locator("textarea[name=reason]").fill(reason)
    page.get_by_role("button", name="이의신청 제출").click()
    expect(page.locator("#appeal-heading")).to_have_text("나의 이의신청")
    expect(page.locator("main")).to_contain_text(reason)
    assert_fits(page, PHONE["width"])


def test_an_operator_reads_the_selection_run_and_its_marginal_applications(
    page: Page, site: DemoSite, sign_in: Callable[[Page, Login], None], tmp_path: Path
) -> None:
    sign_in(page, site.operator)
    page.locator("nav.mainnav a[href='/support/rounds']").click()
    page.locator("tr", has_text="SF2026").locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/support/rounds/\d+$"))
    page.locator("a[href$='/selection']").first.click()
    expect(page.locator("h1")).to_contain_text("최적 선정")
    expect(page.locator(".run-summary")).to_contain_text("최적")
    chart = page.locator("svg.budget-svg")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.budget-used").first).to_have_attribute("width", re.compile(r"\d"))
    marginal = page.locator("main").get_by_text(re.compile("선정|미선정")).first
    expect(marginal).to_be_visible()
    page.screenshot(path=str(tmp_path / "selection-run.png"), full_page=False)


def test_an_expert_records_a_completion_inspection_on_a_tablet(
    new_context: Callable[..., BrowserContext], site: DemoSite, sign_in: Callable[[Page, Login], None],
) -> None:
    page = new_context(viewport=TABLET, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site.experts[0])
    _open_menu(page)
    page.locator("nav.mainnav a[href='/support/reviews']").click()
    expect(page.locator("h1")).to_have_text("재심사·완료점검")
    form = page.locator("form[action^='/support/reviews/projects/']").first
    expect(form).to_be_visible()
    action = form.get_attribute("action")
    form.get_by_label("통과: 사업 완료").check()
    form.locator("textarea[name=note]").fill("MES 작업지시·실적 화면과 설비 연동을 현장에서 확인했습니다.")
    form.get_by_role("button", name="점검 결과 기록").click()
    expect(page.locator("main")).to_contain_text("점검 결과가 기록되었습니다")
    expect(page.locator(f"form[action='{action}']")).to_have_count(0)
    assert_fits(page, TABLET["width"])


def test_anyone_reads_the_national_targets_on_a_phone(
    new_context: Callable[..., BrowserContext], site: DemoSite, tmp_path: Path
) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/support/national")
    expect(page.locator("h1")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("5,000")
    expect(main).to_contain_text("20,000")
    expect(main.locator("svg").first).to_be_visible()
    assert_fits(page, PHONE["width"])
    page.screenshot(path=str(tmp_path / "phone-national.png"), full_page=True)
