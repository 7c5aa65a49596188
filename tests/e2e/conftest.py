"""The browser harness: the real application over a demo database, served by uvicorn, driven through Playwright
by Debian's Chromium.

One server and one browser for the whole run (both are slow to start); a fresh browser context, with its own
cookies, for every test. Without Chromium the tests skip, saying so; under CI=true they fail instead.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas import migrations
from midas.auth import Role, User
from midas.config import Environment, Settings
from midas.db import make_engine
from midas.demo import seed_demo
from midas.registry import Organization
from midas.web.app import create_app
from tests.services import CHROMIUM_PATH, chromium_available, missing

E2E_DIR = Path(__file__).resolve().parent
DEMO_SEED = 2027
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    name_en: str | None
    brn: str


@dataclass(frozen=True, slots=True)
class DemoSite:
    """The running portal and what a test needs to know about its demo data."""

    base_url: str
    database_url: str
    operators: tuple[Login, ...]
    member: Login
    member_company: Company
    experts: tuple[Login, ...] = ()
    members: tuple[Login, ...] = ()

    @property
    def operator(self) -> Login:
        """An operator for tests that change nothing on the account (a language choice is kept on it)."""
        return self.operators[0]


def site_settings(database_url: str) -> Settings:
    return Settings(environment=Environment.TEST, database_url=database_url)


def _logins_for(credentials: Any, role: Role) -> tuple[Login, ...]:
    """The demo's printed log-ins for ``role``."""
    logins = tuple(Login(email=c.email, password=c.password) for c in credentials if str(c.role) == role.value)
    assert logins, f"the demo summary prints no log-in for the role {role.value}: {credentials!r}"
    return logins


def _company_of(session: Session, email: str) -> Company:
    user = session.scalars(select(User).where(User.email == email)).one()
    assert user.organization_id is not None, f"the demo's company member {email} belongs to no organization"
    organization = session.get(Organization, user.organization_id)
    assert organization is not None
    return Company(organization.id, organization.name, organization.name_en, organization.brn)


@dataclass(frozen=True, slots=True)
class DemoLogins:
    database_url: str
    operators: tuple[Login, ...]
    member: Login
    member_company: Company
    experts: tuple[Login, ...]
    members: tuple[Login, ...]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> DemoLogins:
    """A new SQLite file, migrated and seeded by the demo generator at its small scale."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    migrations.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        summary = seed_demo(engine, scale="small", seed=DEMO_SEED, settings=site_settings(database_url))
        operators = _logins_for(summary.credentials, Role.OPERATOR)
        assert len(operators) >= 2, "the browser tests need two demo operators"
        members = _logins_for(summary.credentials, Role.COMPANY_MEMBER)
        experts = _logins_for(summary.credentials, Role.EXPERT)
        with Session(engine) as session:
            company = _company_of(session, members[0].email)
    finally:
        engine.dispose()
    return DemoLogins(database_url, operators, members[0], company, experts, members)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a background thread; stop it at the end."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # bound before the server starts: no race for the port
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            listener.close()
            raise RuntimeError("the test server did not start (see the log above)")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not chromium_available():
        missing("Chromium", f"no browser at {CHROMIUM_PATH}: apt-get install chromium, or set MIDAS_TEST_CHROMIUM")
    return CHROMIUM_PATH


@pytest.fixture(scope="session")
def site(chromium_executable: str, demo_database: DemoLogins) -> Iterator[DemoSite]:
    demo = demo_database
    app = create_app(site_settings(demo.database_url))
    with serving(app) as base_url:
        yield DemoSite(base_url, demo.database_url, demo.operators, demo.member, demo.member_company, demo.experts,
                       demo.members)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_executable: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(
    browser: Browser, site: DemoSite, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (cookies of their own) on the demo site; all are closed after the test, and when
    the test failed, each open page is saved as a screenshot first."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("locale", "ko-KR")
        options.setdefault("timezone_id", "Asia/Seoul")
        context = browser.new_context(base_url=site.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                shot = tmp_path / f"failure-{number}-{index}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of {page.url}: {shot}")  # noqa: T201
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page of its own browser context, at a desktop size."""
    return new_context().new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]  # read by new_context's teardown
    return report


def sign_in_through_the_form(page: Page, login: Login) -> None:
    page.goto("/login")
    page.locator("#email").fill(login.email)
    page.locator("#password").fill(login.password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def sign_in() -> Callable[[Page, Login], None]:
    """Sign in through the login form, as a person would."""
    return sign_in_through_the_form
