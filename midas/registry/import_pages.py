"""The import page: templates to download, an upload form, and the report of what happened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from midas.registry.importing import (
    IMPORT_KIND_LABELS,
    ImportKind,
    ImportMode,
    import_registry_file,
    list_import_layouts,
)
from midas.web.context import DbSession, SignedInActor, settings_of
from midas.web.csrf import verify_csrf
from midas.web.rendering import render

router = APIRouter(include_in_schema=False)

# A page of tens of thousands of problems helps no one; the API returns them all.
PROBLEMS_SHOWN = 1000
MODE_LABELS = {ImportMode.ALL_OR_NOTHING: "All rows or nothing", ImportMode.VALID_ROWS: "Valid rows only"}


def _form_context(request: Request, kind: ImportKind, valid_rows: bool) -> dict[str, object]:
    return {"kind_labels": IMPORT_KIND_LABELS, "mode_labels": MODE_LABELS, "selected_kind": kind,
            "valid_rows": valid_rows, "max_mb": settings_of(request).upload_max_bytes // (1024 * 1024)}


@router.get("/registry/import")
def import_page(request: Request, actor: SignedInActor, kind: ImportKind = ImportKind.ORGANIZATIONS) -> Response:
    layouts = list_import_layouts(actor=actor)
    return render(request, "registry/import.html", {"layouts": layouts, **_form_context(request, kind, False)})


@router.post("/registry/import", dependencies=[Depends(verify_csrf)])
def upload_import(
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    kind: Annotated[ImportKind, Form()] = ImportKind.ORGANIZATIONS,
    valid_rows: Annotated[bool, Form()] = False,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    limit = settings_of(request).upload_max_bytes
    report = import_registry_file(
        session, actor=actor, kind=kind, data=file.file.read(limit + 1) if file else b"",
        file_name=(file.filename or "") if file else "", max_bytes=limit,
        mode=ImportMode.VALID_ROWS if valid_rows else ImportMode.ALL_OR_NOTHING,
    )
    return render(request, "registry/import_report.html",
                  {"report": report, "problems": report.problems[:PROBLEMS_SHOWN],
                   **_form_context(request, kind, valid_rows)},
                  status_code=200 if report.committed else 422)
