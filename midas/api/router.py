from __future__ import annotations

from fastapi import APIRouter

from midas import __version__
from midas.assessment.pool_api import router as assessment_pool_router
from midas.assessment.reliability_api import router as assessment_reliability_router
from midas.assessment.rounds_api import router as assessment_rounds_router
from midas.assessment.scoring_api import router as assessment_scoring_router
from midas.auth.api import router as auth_router
from midas.ingest.api import router as ingest_router
from midas.kmds.api import router as kmds_router
from midas.kpi.api import router as kpi_router
from midas.kpi.outcomes_api import router as kpi_outcomes_router
from midas.registry.api import router as registry_router
from midas.registry.import_api import router as registry_import_router
from midas.support.appeals_api import router as support_appeals_router
from midas.support.applications_api import router as support_applications_router
from midas.support.counting_api import router as support_counting_router
from midas.support.programs_api import router as support_programs_router
from midas.support.projects_api import router as support_projects_router
from midas.support.selection_api import router as support_selection_router


def build_api_router() -> APIRouter:
    """/api/v1: every domain's JSON routes."""
    api = APIRouter(prefix="/api/v1")

    @api.get("/health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    api.include_router(auth_router)
    api.include_router(registry_router)
    api.include_router(registry_import_router)
    api.include_router(kmds_router)
    api.include_router(assessment_pool_router)
    api.include_router(assessment_rounds_router)
    api.include_router(assessment_scoring_router)
    api.include_router(assessment_reliability_router)
    api.include_router(support_programs_router)
    api.include_router(support_applications_router)
    api.include_router(support_selection_router)
    api.include_router(support_appeals_router)
    api.include_router(support_projects_router)
    api.include_router(support_counting_router)
    api.include_router(ingest_router)
    api.include_router(kpi_router)
    api.include_router(kpi_outcomes_router)
    return api
