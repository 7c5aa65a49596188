"""create_app(settings): the one place where the web application is assembled."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from midas import __version__
from midas.api.router import build_api_router
from midas.assessment.pool_pages import router as assessment_pool_pages
from midas.assessment.reliability_pages import router as assessment_reliability_pages
from midas.assessment.rounds_pages import router as assessment_rounds_pages
from midas.assessment.scoring_pages import router as assessment_scoring_pages
from midas.audit.pages import router as audit_pages
from midas.auth.pages import router as auth_pages
from midas.config import Settings, get_settings
from midas.db import make_engine, make_session_factory
from midas.ingest.pages import router as ingest_pages
from midas.kmds.pages import router as kmds_pages
from midas.kpi.outcomes_pages import router as kpi_outcomes_pages
from midas.kpi.pages import router as kpi_pages
from midas.registry.import_pages import router as registry_import_pages
from midas.registry.pages import router as registry_pages
from midas.support.appeals_pages import router as support_appeals_pages
from midas.support.applications_pages import router as support_applications_pages
from midas.support.counting_pages import router as support_counting_pages
from midas.support.programs_pages import router as support_programs_pages
from midas.support.projects_pages import router as support_projects_pages
from midas.support.selection_pages import router as support_selection_pages
from midas.web.errors import install_error_handlers
from midas.web.home import router as home_pages
from midas.web.rendering import make_templates
from midas.web.security import install_security_headers

STATIC_DIR = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves, the objects alive when it started (modules, routes, templates, table metadata: most
    of a worker's objects) are kept out of the garbage collector's sight (``gc.freeze``). A delivery of 5,000
    records makes enough objects to set off collections over and over, and each full one scanned all of those
    again: about a tenth of ingestion's time. They are handed back on shutdown (``gc.unfreeze``), so an app
    started and stopped in a longer-lived process, as the tests do, leaves nothing uncollectable."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The portal and the API over the database that ``settings`` names."""
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="MIDAS",
        version=__version__,
        description="The open platform of a national manufacturing digital-transformation program.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.templates = make_templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="midas_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    install_error_handlers(app)
    install_security_headers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_api_router())
    app.include_router(home_pages)
    app.include_router(auth_pages)
    app.include_router(audit_pages)
    app.include_router(registry_pages)
    app.include_router(registry_import_pages)
    app.include_router(kmds_pages)
    app.include_router(assessment_rounds_pages)
    app.include_router(assessment_pool_pages)
    app.include_router(assessment_scoring_pages)
    app.include_router(assessment_reliability_pages)
    app.include_router(support_programs_pages)
    app.include_router(support_applications_pages)
    app.include_router(support_selection_pages)
    app.include_router(support_appeals_pages)
    app.include_router(support_projects_pages)
    app.include_router(support_counting_pages)
    app.include_router(ingest_pages)
    app.include_router(kpi_pages)
    app.include_router(kpi_outcomes_pages)
    return app
