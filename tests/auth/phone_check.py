"""Drive the tokens page on a phone-sized Chromium and print what was seen, as JSON.

Run as ``python -m tests.auth.phone_check BASE_URL EMAIL PASSWORD SCREENSHOT_DIR`` by test_tokens_phone.py. It
runs in a process of its own because Playwright's sync API allows one instance per thread, and the browser tests
of tests/e2e keep theirs open for the whole run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, sync_playwright

from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, TIMEOUT_MS
from tests.e2e.test_phone_layout import MEASURE
from tests.services import CHROMIUM_PATH


def _measure(page: Page) -> dict[str, Any]:
    measured: dict[str, Any] = page.evaluate(MEASURE)
    measured["fits"] = measured["scrollWidth"] <= min(measured["innerWidth"], PHONE["width"]) + 1
    return measured


def _issue_a_token(page: Page, shots: Path) -> dict[str, Any]:
    """Fill in the form with the thumb: a name, two scopes ticked by their labels, submit."""
    page.goto("/account/tokens")
    form = _measure(page)
    page.screenshot(path=str(shots / "phone-token-form.png"), full_page=True)
    smallest_choice = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.scope-choice')].map(e => e.getBoundingClientRect().height))")
    page.locator("#f-name").fill("휴대폰에서 만든 토큰")
    page.locator("label.scope-choice", has=page.locator("input[value='ingest:write']")).click()
    page.locator("label.scope-choice", has=page.locator("input[value='read']")).click()
    page.locator("form[action='/account/tokens'] button").click()
    page.locator("code.secret").wait_for()
    page.screenshot(path=str(shots / "phone-token-issued.png"), full_page=True)
    row = page.locator("table.tokens tbody tr").first
    return {
        "form": form,
        "smallest_choice_px": smallest_choice,
        "list": _measure(page),
        "secret_shown": page.locator("code.secret").inner_text().startswith("midas_"),
        "row_scopes": row.locator(".scope-list li").all_inner_texts(),
    }


def main(base_url: str, email: str, password: str, shots: Path) -> dict[str, Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        try:
            phone = ViewportSize(width=PHONE["width"], height=PHONE["height"])
            context = browser.new_context(base_url=base_url, viewport=phone, device_scale_factor=2, is_mobile=True,
                                          has_touch=True, locale="ko-KR", timezone_id="Asia/Seoul")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto("/login")
            page.locator("#email").fill(email)
            page.locator("#password").fill(password)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
            return _issue_a_token(page, shots)
        finally:
            browser.close()


if __name__ == "__main__":
    base_url, email, password, shots = sys.argv[1:5]
    print(json.dumps(main(base_url, email, password, Path(shots)), ensure_ascii=False))  # noqa: T201
