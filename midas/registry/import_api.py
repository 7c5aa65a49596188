"""JSON routes of bulk imports: upload a .csv or .xlsx file of organizations or factories, download templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from midas.api.envelope import problem_json
from midas.registry.importing import (
    ImportKind,
    ImportMode,
    ImportReport,
    import_registry_file,
    template_file,
    template_file_name,
)
from midas.registry.spreadsheets import TemplateFormat
from midas.web.context import DbSession, SignedInActor, request_locale, settings_of
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/registry/imports", tags=["registry"])

MEDIA_TYPES = {
    TemplateFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    TemplateFormat.CSV: "text/csv; charset=utf-8",
}


class ImportProblemPublic(BaseModel):
    field: str
    message: str
    row: int | None
    column: str | None


class ImportReportPublic(BaseModel):
    kind: ImportKind
    mode: ImportMode
    file_name: str
    total_rows: int
    imported_rows: int
    rejected_rows: int
    committed: bool
    import_id: str | None
    created_ids: list[int]
    problems: list[ImportProblemPublic]


def report_json(report: ImportReport, locale: str) -> dict[str, Any]:
    """The report with each problem's message in the caller's language."""
    return ImportReportPublic(
        kind=report.kind, mode=report.mode, file_name=report.file_name, total_rows=report.total_rows,
        imported_rows=report.imported_rows, rejected_rows=report.rejected_rows, committed=report.committed,
        import_id=report.import_id, created_ids=report.created_ids,
        problems=[ImportProblemPublic(**problem_json(p, locale)) for p in report.problems],
    ).model_dump(mode="json")


@router.post(
    "/{kind}",
    response_model=ImportReportPublic,
    dependencies=[Depends(verify_csrf)],
    responses={422: {"model": ImportReportPublic, "description": "Refused: nothing was written; see problems"}},
)
def import_file(
    kind: ImportKind,
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8 or CP949) or .xlsx file with a header row")],
    mode: Annotated[ImportMode, Query(description="valid_rows writes the valid rows and skips the others")] = (
        ImportMode.ALL_OR_NOTHING),
) -> Response:
    """Import organizations or factories: 200 when rows were written, 422 with the same report when none were."""
    limit = settings_of(request).upload_max_bytes
    report = import_registry_file(session, actor=actor, kind=kind, data=file.file.read(limit + 1),
                                  file_name=file.filename or "", max_bytes=limit, mode=mode)
    return JSONResponse(report_json(report, request_locale(request)), status_code=200 if report.committed else 422)


@router.get(
    "/templates/{kind}.{fmt}",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}, "description": "The template"}},
)
def download_template(kind: ImportKind, fmt: TemplateFormat, actor: SignedInActor) -> Response:
    """A template to fill in: Korean headers and an example row; the xlsx has a code sheet too."""
    return Response(template_file(kind, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{template_file_name(kind, fmt)}"'})
